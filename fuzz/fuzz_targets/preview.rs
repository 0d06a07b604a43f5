#![no_main]
//! See `mmt::fuzzing::preview`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mmt::fuzzing::preview(data));
