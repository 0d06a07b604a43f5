use super::*;
use crate::search::dialect::Literals;
use crate::search::linear::LiteralSearch;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use proptest::prelude::*;

fn naive_all(hay: &[u8], needle: &[u8], bounds: Range<usize>, overlapping: bool) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = bounds.start;
    while at + needle.len() <= bounds.end {
        if &hay[at..at + needle.len()] == needle {
            out.push(at);
            at += if overlapping { 1 } else { needle.len().max(1) };
        } else {
            at += 1;
        }
    }
    out
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![Just(0u8), Just(b'a'), Just(b'b')], 0..max)
}

proptest! {
    #![proptest_config(crate::property_config(2000))]

    #[test]
    fn needle_matches_a_naive_scan(
        hay in bytes(80),
        needle in bytes(4),
        start in prop::option::of(-90i64..90),
        end in prop::option::of(-90i64..90),
        overlapping in any::<bool>(),
    ) {
        let bounds = clamp_bounds(hay.len(), start, end);
        let expected = if bounds.start <= bounds.end {
            naive_all(&hay, &needle, bounds.clone(), overlapping)
        } else {
            Vec::new()
        };
        let finder = Needle::new(&needle);
        let windows = vec![bounds.clone()];
        prop_assert_eq!(finder.all(&hay, windows.clone(), overlapping).collect::<Vec<_>>(), expected.clone());
        prop_assert_eq!(finder.first(&hay, &windows), expected.first().copied());
        let last = if bounds.start <= bounds.end {
            naive_all(&hay, &needle, bounds, true).last().copied()
        } else {
            None
        };
        prop_assert_eq!(finder.last(&hay, &windows), last);
    }

    #[test]
    fn split_windows_find_what_whole_ones_find(
        hay in bytes(120),
        needle in bytes(4),
        start in prop::option::of(-130i64..130),
        end in prop::option::of(-130i64..130),
        chunk in 1usize..20,
        overlapping in any::<bool>(),
    ) {
        let bounds = clamp_bounds(hay.len(), start, end);
        let finder = Needle::new(&needle);
        let whole = vec![bounds];
        let pieces = split_windows(whole.clone(), chunk, needle.len());
        prop_assert_eq!(
            finder.all(&hay, pieces.clone(), overlapping).collect::<Vec<_>>(),
            finder.all(&hay, whole.clone(), overlapping).collect::<Vec<_>>()
        );
        prop_assert_eq!(finder.first(&hay, &pieces), finder.first(&hay, &whole));
        prop_assert_eq!(finder.last(&hay, &pieces), finder.last(&hay, &whole));
    }

    /// The literal searchers find exactly what the regex engine finds, leftmost-first.
    #[test]
    fn literal_searchers_find_what_the_regex_finds(
        hay in bytes(120),
        alternatives in prop::collection::vec(prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'A')], 1..5), 1..4),
        ignore_case in any::<bool>(),
        pos in 0usize..130,
    ) {
        let literals = Literals {
            alternatives: alternatives.clone(),
            ascii_case_insensitive: ignore_case,
        };
        let searcher = match LiteralSearch::for_literals(literals.clone()).unwrap() {
            Some(searcher) => searcher,
            // Short alternatives go to the regex engine; build the long-literal searcher
            // anyway, to hold it against the regex.
            None => LiteralSearch::Many(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::LeftmostFirst)
                    .ascii_case_insensitive(ignore_case)
                    .build(&alternatives)
                    .unwrap(),
            ),
        };
        let pattern: Vec<u8> = alternatives.join(&b'|');
        let flags = RegexFlags { ignore_case, ..RegexFlags::default() };
        let mut with_literals = Pattern::new(&pattern, &flags).unwrap();
        with_literals.linear().literals = Some(searcher);
        let mut regex_only = with_literals.clone();
        regex_only.linear().literals = None;
        let pos = pos.min(hay.len());
        prop_assert_eq!(with_literals.find_at(&hay, pos), regex_only.find_at(&hay, pos));
    }

    /// A search given only the haystack near its start (see `near`) finds what a search
    /// given all of it finds, look-behind assertions and Unicode word boundaries (whose
    /// character before may be several bytes long) included, and so do its groups.
    #[test]
    fn a_search_near_its_start_finds_what_a_search_of_everything_finds(
        hay in prop::collection::vec(prop_oneof![
            Just("a"), Just("b"), Just("\n"), Just(" "), Just("é"), Just("€"), Just("\u{10348}"), Just("\u{ff}")
        ], 0..40),
        pattern in prop::sample::select(vec![
            r"\ba", r"\Ba", r"(?m)^a", "^a", r"(?u:\b)b", r"(?u:\B)\w", r"(\w)(a|b)", r"(?s)a.*?b",
            r"\A", r"(?m)^$", r"(?u:\w)+", r"[^a]*?b",
        ]),
        unicode in any::<bool>(),
        pos in 0usize..200,
    ) {
        let hay: Vec<u8> = hay.concat().into_bytes();
        let flags = RegexFlags { unicode, ..RegexFlags::default() };
        let Ok(mut p) = Pattern::new(pattern.as_bytes(), &flags) else { return Ok(()) };
        let pos = pos.min(hay.len());
        let re = p.linear().regex_for(&hay).clone();
        let everything = re.find_at(&hay, pos).map(|m| m.range());
        prop_assert_eq!(p.find_at(&hay, pos), everything.clone());
        let mut caps = p.captures();
        let mut all_locs = re.capture_locations();
        let whole = re.captures_read_at(&mut all_locs, &hay, pos).map(|m| m.range());
        let captured = p.captures_at(&hay, pos, &mut caps);
        prop_assert_eq!(captured.clone(), whole);
        if captured.is_some() {
            prop_assert_eq!(caps.len(), all_locs.len());
            for i in 0..all_locs.len() {
                let group = all_locs.get(i).map(|(start, end)| start..end);
                prop_assert_eq!(caps.get(i), group);
            }
        }
    }

    #[test]
    fn skipping_holes_finds_what_a_full_scan_finds(
        layout in prop::collection::vec((0usize..20, prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8)], 0..6)), 0..8),
        needle in prop::collection::vec(prop_oneof![Just(0u8), Just(b'a'), Just(b'b')], 1..4),
        overlapping in any::<bool>(),
    ) {
        // Holes of zeros between data extents, as a sparse file would report them.
        let mut hay = Vec::new();
        let mut extents = Vec::new();
        for (hole, data) in layout {
            hay.resize(hay.len() + hole, 0);
            extents.push(hay.len()..hay.len() + data.len());
            hay.extend_from_slice(&data);
        }
        let finder = Needle::new(&needle);
        let full = vec![0..hay.len()];
        let windows = search_windows(Some(&extents), &needle, 0..hay.len());
        let expected: Vec<usize> = finder.all(&hay, full.clone(), overlapping).collect();
        prop_assert_eq!(finder.all(&hay, windows.clone(), overlapping).collect::<Vec<_>>(), expected);
        prop_assert_eq!(finder.first(&hay, &windows), finder.first(&hay, &full));
        prop_assert_eq!(finder.last(&hay, &windows), finder.last(&hay, &full));
    }
}
