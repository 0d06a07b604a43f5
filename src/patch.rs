//! Edits planned before a byte is written: every match is found first, so that `--expect`, a
//! bad template or any other error leaves the file as it was. A [`Plan`] is then applied in
//! place (same length) or streamed into a rewrite (length changes), or rendered for a preview.

use std::io;
use std::ops::Range;

use crate::search::{MatchCursor, Needle, Pattern, python_matches};
use crate::template::Template;

/// Replace `old[start..end]` with the plan's bytes at `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    new: Range<usize>,
}

/// Sorted, non-overlapping edits of one file, and the bytes they put in.
#[derive(Debug, Default)]
pub struct Plan {
    edits: Vec<Edit>,
    /// Replacement bytes: once for a literal replace, one expansion per match for a regex.
    arena: Vec<u8>,
}

/// Where a rewrite sends the new file: unchanged runs of the original, and new bytes.
pub trait RewriteSink {
    fn copy_unchanged(&mut self, range: Range<usize>) -> io::Result<()>;
    fn write_new(&mut self, bytes: &[u8]) -> io::Result<()>;
}

impl Plan {
    /// Python's `hay.replace(old, new, max)`: non-overlapping occurrences, left to right, looked
    /// for in `windows` of the haystack (see [`search_windows`]). `old` must not be empty (the
    /// caller refuses it).
    pub fn literal_in(
        hay: &[u8],
        windows: impl IntoIterator<Item = Range<usize>>,
        old: &[u8],
        new: &[u8],
        max: usize,
    ) -> Plan {
        let needle = Needle::new(old);
        let edits = needle
            .all(hay, windows, false)
            .take(max)
            .map(|start| Edit {
                start,
                end: start + old.len(),
                new: 0..new.len(),
            })
            .collect();
        Plan {
            edits,
            arena: new.to_vec(),
        }
    }

    /// [`Plan::literal_in`] over the whole haystack.
    #[cfg(test)]
    #[allow(clippy::single_range_in_vec_init)] // one window: the whole haystack
    pub fn literal(hay: &[u8], old: &[u8], new: &[u8], max: usize) -> Plan {
        Plan::literal_in(hay, vec![0..hay.len()], old, new, max)
    }

    /// Python's `re.sub(pattern, template, hay, count=max)`, with `$1` and `${name}` in the
    /// template.
    pub fn regex(hay: &[u8], pattern: &Pattern, template: &Template, max: usize) -> Plan {
        let mut plan = Plan::default();
        if !pattern.has_groups() {
            // The template can name the whole match only: no capture engine needed.
            let find_at = |pos| pattern.find_at(hay, pos);
            for found in python_matches(hay.len(), find_at, Clone::clone).take(max) {
                let from = plan.arena.len();
                template.expand_whole(&hay[found.clone()], &mut plan.arena);
                plan.edits.push(Edit {
                    start: found.start,
                    end: found.end,
                    new: from..plan.arena.len(),
                });
            }
            return plan;
        }
        let re = pattern.regex_for(hay);
        let mut locs = re.capture_locations();
        let mut cursor = MatchCursor::new(hay.len());
        while plan.edits.len() < max {
            let Some(pos) = cursor.position() else { break };
            let Some(whole) = re.captures_read_at(&mut locs, hay, pos) else {
                break;
            };
            cursor.advance_past(whole.range());
            let from = plan.arena.len();
            template.expand(hay, &locs, &mut plan.arena);
            plan.edits.push(Edit {
                start: whole.start(),
                end: whole.end(),
                new: from..plan.arena.len(),
            });
        }
        plan
    }

    /// One overwrite of `data.len()` bytes at `offset`.
    pub fn overwrite(offset: usize, data: &[u8]) -> Plan {
        Plan {
            edits: vec![Edit {
                start: offset,
                end: offset + data.len(),
                new: 0..data.len(),
            }],
            arena: data.to_vec(),
        }
    }

    pub fn len(&self) -> usize {
        self.edits.len()
    }

    pub fn is_empty(&self) -> bool {
        self.edits.is_empty()
    }

    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    pub fn replacement(&self, edit: &Edit) -> &[u8] {
        &self.arena[edit.new.clone()]
    }

    /// True when every edit puts in as many bytes as it takes out, so the file can be patched
    /// in place.
    pub fn keeps_length(&self) -> bool {
        self.edits.iter().all(|e| e.end - e.start == e.new.len())
    }

    /// The byte range from the first edit's start to the last edit's end.
    pub fn touched(&self) -> Option<Range<usize>> {
        Some(self.edits.first()?.start..self.edits.last()?.end)
    }

    /// Writes every replacement into `target`, which holds the original bytes (a map or a copy).
    /// Only for a plan that [`keeps_length`](Self::keeps_length).
    pub fn apply_in_place(&self, target: &mut [u8]) {
        self.apply_edits(target, 0..self.edits.len());
    }

    /// [`Plan::apply_in_place`] for the edits `which` only.
    pub fn apply_edits(&self, target: &mut [u8], which: Range<usize>) {
        for edit in &self.edits[which] {
            target[edit.start..edit.end].copy_from_slice(&self.arena[edit.new.clone()]);
        }
    }

    /// Streams the new file into `sink`: unchanged runs of an original of `old_len` bytes and
    /// the replacements between them, front to back.
    pub fn rewrite_into(&self, old_len: usize, sink: &mut impl RewriteSink) -> io::Result<()> {
        let mut pos = 0;
        for edit in &self.edits {
            sink.copy_unchanged(pos..edit.start)?;
            sink.write_new(self.replacement(edit))?;
            pos = edit.end;
        }
        sink.copy_unchanged(pos..old_len)
    }

    /// The new bytes that stand for `old[range]`, where `range` holds whole edits and touches
    /// no edit it does not hold. Used by previews, which look at a few regions only.
    pub fn render(&self, old: &[u8], range: Range<usize>) -> Vec<u8> {
        let first = self.edits.partition_point(|e| e.start < range.start);
        let mut out = Vec::with_capacity(range.len());
        let mut pos = range.start;
        for edit in self.edits[first..]
            .iter()
            .take_while(|e| e.end <= range.end)
        {
            out.extend_from_slice(&old[pos..edit.start]);
            out.extend_from_slice(self.replacement(edit));
            pos = edit.end;
        }
        out.extend_from_slice(&old[pos..range.end]);
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn rewritten(old: &[u8], plan: &Plan) -> Vec<u8> {
        plan.render(old, 0..old.len())
    }

    #[test]
    fn literal_plans_follow_bytes_replace() {
        let plan = Plan::literal(b"aaaa", b"aa", b"b", usize::MAX);
        assert_eq!(rewritten(b"aaaa", &plan), b"bb");
        let plan = Plan::literal(b"a.a.a", b"a", b"xyz", 2);
        assert_eq!(rewritten(b"a.a.a", &plan), b"xyz.xyz.a");
        assert!(!plan.keeps_length());
        let plan = Plan::literal(b"abc", b"b", b"B", 0);
        assert!(plan.is_empty());
    }

    #[test]
    fn in_place_application_matches_the_rewrite() {
        let old = b"one two one";
        let plan = Plan::literal(old, b"one", b"ONE", usize::MAX);
        assert!(plan.keeps_length());
        let mut target = old.to_vec();
        plan.apply_in_place(&mut target);
        assert_eq!(target, rewritten(old, &plan));
        assert_eq!(plan.touched(), Some(0..11));
    }

    /// `re.sub(pattern, template, hay)` as a plan, for tests.
    pub fn regex_plan(hay: &[u8], pattern: &str, template: &str) -> Plan {
        let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
        let template = Template::parse(template.as_bytes(), pattern.regex()).unwrap();
        Plan::regex(hay, &pattern, &template, usize::MAX)
    }

    #[test]
    fn regex_plans_follow_re_sub() {
        let old = b"a@b, c@d";
        let plan = regex_plan(old, r"(\w+)@(?P<host>\w+)", "${host}:$1");
        assert_eq!(rewritten(old, &plan), b"b:a, d:c");
        // re.sub(rb'x*', b'-', b'abc') == b'-a-b-c-'
        let plan = regex_plan(b"abc", "x*", "-");
        assert_eq!(rewritten(b"abc", &plan), b"-a-b-c-");
        // re.sub(rb'\B', b'-', b'') == b''
        assert!(regex_plan(b"", r"\B", "-").is_empty());
    }

    #[test]
    fn render_of_a_region_takes_only_its_edits() {
        let old = b"ab\ncd\nab\n";
        let plan = Plan::literal(old, b"ab", b"XYZ", usize::MAX);
        assert_eq!(plan.render(old, 3..6), b"cd\n");
        assert_eq!(plan.render(old, 6..9), b"XYZ\n");
    }

    struct Recorder(Vec<u8>, Vec<u8>);

    impl RewriteSink for Recorder {
        fn copy_unchanged(&mut self, range: Range<usize>) -> io::Result<()> {
            self.1.extend_from_slice(&self.0[range]);
            Ok(())
        }

        fn write_new(&mut self, bytes: &[u8]) -> io::Result<()> {
            self.1.extend_from_slice(bytes);
            Ok(())
        }
    }

    #[test]
    fn streaming_rewrite_matches_render() {
        let old = b"x=1; y=22; x=333".to_vec();
        let plan = regex_plan(&old, r"\d+", "<$0>");
        let mut sink = Recorder(old.clone(), Vec::new());
        plan.rewrite_into(old.len(), &mut sink).unwrap();
        assert_eq!(sink.1, b"x=<1>; y=<22>; x=<333>");
        assert_eq!(sink.1, rewritten(&old, &plan));
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// `bytes.replace(old, new, count)`, plainly: scan left to right, skip past each replacement.
    fn reference(hay: &[u8], old: &[u8], new: &[u8], count: usize) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut i, mut done) = (0, 0);
        while i < hay.len() {
            if done < count && hay[i..].starts_with(old) {
                out.extend_from_slice(new);
                i += old.len();
                done += 1;
            } else {
                out.push(hay[i]);
                i += 1;
            }
        }
        out
    }

    fn bytes(range: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8)], range)
    }

    proptest! {
        #![proptest_config(crate::property_config(3000))]

        #[test]
        fn literal_plans_equal_bytes_replace(
            hay in bytes(0..120), old in bytes(1..4), new in bytes(0..5), count in 0usize..8, all in any::<bool>(),
        ) {
            let count = if all { usize::MAX } else { count };
            let plan = Plan::literal(&hay, &old, &new, count);
            let expected = reference(&hay, &old, &new, count);
            prop_assert_eq!(plan.render(&hay, 0..hay.len()), expected.clone());
            if plan.keeps_length() {
                let mut patched = hay.clone();
                plan.apply_in_place(&mut patched);
                prop_assert_eq!(patched, expected);
            }
        }
    }
}
