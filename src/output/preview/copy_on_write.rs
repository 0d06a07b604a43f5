//! The preview of `--copy`: the new bytes from private copy-on-write maps of the file itself.

use std::path::Path;

use super::{NewBytes, Region};
use crate::map;
use crate::patch::Plan;

/// New bytes from private copy-on-write maps of the file: the edits of a few regions near one
/// another are applied to a private map of the window they span, read back, and the map
/// dropped, so that a preview of a dense patch holds the copied pages of the jobs in flight,
/// not of the whole file, each thread changes maps of its own, and regions far apart (a sparse
/// patch of a large file) are not mapped with everything between them.
pub struct CopyOnWrite<'a> {
    pub file: &'a std::fs::File,
    pub path: &'a Path,
}

/// Regions share a copy-on-write window while they lie within this many bytes of its start.
const WINDOW_MAX: usize = 4 << 20;

impl NewBytes for CopyOnWrite<'_> {
    fn each_region(
        &self,
        _old: &[u8],
        plan: &Plan,
        regions: &[Region],
        each: &mut dyn FnMut(&Region, &[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut rest = regions;
        while let Some(first) = rest.first() {
            let base = first.range.start;
            let shared = rest
                .iter()
                .take_while(|region| region.range.end - base <= WINDOW_MAX)
                .count()
                .max(1);
            let (window, after) = rest.split_at(shared);
            rest = after;
            let end = window.last().map_or(base, |region| region.range.end);
            let mut map = map::map_private_window(self.file, base as u64..end as u64, self.path)
                .map_err(|err| std::io::Error::other(format!("{err:#}")))?;
            // Every edit first: a page first touched by a write is copied at once, while one
            // read first (and the pages around it, which the kernel maps along) is mapped
            // read-only and copied on its first write, which takes a TLB flush on every core
            // the threads run on.
            for region in window {
                plan.write_edits(region.edits(), &mut map, base);
            }
            for region in window {
                each(
                    region,
                    &map[region.range.start - base..region.range.end - base],
                )?;
            }
        }
        Ok(())
    }
}
