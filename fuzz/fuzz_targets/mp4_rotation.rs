#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| formcheck::fuzzing::mp4_rotation(data));
