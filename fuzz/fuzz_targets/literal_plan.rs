#![no_main]
//! See `mmt::fuzzing::literal_plan`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mmt::fuzzing::literal_plan(data));
