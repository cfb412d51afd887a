#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| formcheck::fuzzing::video_list(data));
