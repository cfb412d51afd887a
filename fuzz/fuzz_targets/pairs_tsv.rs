#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| formcheck::fuzzing::pairs_tsv(data));
