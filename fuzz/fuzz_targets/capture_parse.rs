#![no_main]
use libfuzzer_sys::fuzz_target;
fuzz_target!(|data: &[u8]| synack::fuzzing::capture_parse(data));
