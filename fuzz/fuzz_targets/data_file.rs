//! Data files: bank CSVs (ours and the EBA 2018 compilation) and explicit exposure matrices.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sim::fuzzing::data_file(data));
