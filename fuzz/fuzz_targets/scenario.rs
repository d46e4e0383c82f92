//! Scenario files: TOML parsing, `base` merging, validation, and one path of small valid ones.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| sim::fuzzing::scenario(data));
