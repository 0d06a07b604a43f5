#![no_main]
//! See `mmt::fuzzing::chunked_regex`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mmt::fuzzing::chunked_regex(data));
