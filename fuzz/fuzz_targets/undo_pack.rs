#![no_main]
//! See `mmt::fuzzing::undo_pack`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mmt::fuzzing::undo_pack(data));
