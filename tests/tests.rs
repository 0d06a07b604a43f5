//! Integration tests of the `mmt` binary: one test binary, one module per topic (as ripgrep
//! does), each test in a fresh temporary directory.

mod suite;
