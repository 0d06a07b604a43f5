//! Writes that can be trusted: all or nothing with a journal, undo and recovery, signals, other
//! writers, failures of the disk, and power cuts on a crash-simulating file system.

use super::util;

mod concurrent_writers;
mod crashfs;
mod faults;
mod power_cut;
mod reliability;
mod transactions;
mod undo_history;
