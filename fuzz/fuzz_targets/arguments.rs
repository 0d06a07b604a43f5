#![no_main]
//! See `mmt::fuzzing::arguments`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mmt::fuzzing::arguments(data));
