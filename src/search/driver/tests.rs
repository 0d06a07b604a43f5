use super::*;
use crate::search::lines::count_newlines;
use proptest::prelude::*;

fn pattern(source: &str) -> Pattern {
    Pattern::new(source.as_bytes(), &Default::default()).unwrap()
}

/// One match as a sink saw it: its range, its groups (when handed over) and its mark.
type Seen = (
    Range<usize>,
    Option<Vec<Option<Range<usize>>>>,
    Option<LineMark>,
);

fn seen(found: &Found<'_>) -> Seen {
    let groups = found
        .groups
        .map(|caps| (0..caps.len()).map(|i| caps.get(i)).collect());
    (found.range.clone(), groups, found.mark)
}

/// Every match `searcher` hands over, as seen, with the count it returns.
fn search(searcher: Searcher, pattern: &Pattern, hay: &[u8], groups: bool) -> (Vec<Seen>, usize) {
    let mut all = Vec::new();
    let mut sink = each_match(|found: Found<'_>| {
        all.push(seen(&found));
        Ok(())
    });
    let mut sink = match groups {
        true => sink.reading_groups(),
        false => {
            sink.groups = false;
            sink
        }
    };
    let count = searcher.search(pattern, hay, &mut sink).unwrap();
    (all, count)
}

/// The plain reference: Python's stepping on one thread, each match's groups found from its
/// start.
fn reference(pattern: &Pattern, hay: &[u8], max: usize, groups: bool) -> Vec<Seen> {
    let mut caps = pattern.captures();
    python_matches(hay.len(), |at| pattern.find_at(hay, at), Clone::clone)
        .take(max)
        .map(|range| {
            let groups = (groups && pattern.has_groups()).then(|| {
                pattern.captures_at(hay, range.start, &mut caps).unwrap();
                (0..caps.len()).map(|i| caps.get(i)).collect()
            });
            (range, groups, None)
        })
        .collect()
}

fn in_pieces(threads: usize, chunk: usize, max: usize, marks: bool) -> Searcher {
    Searcher {
        split: Some(Split { threads, chunk }),
        max,
        marks,
    }
}

#[test]
fn a_large_haystack_is_searched_in_pieces_with_marks_and_a_small_one_is_not() {
    let hay = b"a\nb a\n\na\n".repeat(8);
    let pattern = pattern("a");
    let (pieces, count) = search(in_pieces(2, 8, usize::MAX, true), &pattern, &hay, false);
    assert_eq!(count, 24);
    assert!(pieces.iter().all(|(_, _, mark)| mark.is_some()));
    // Too small to be worth a second thread: searched on this one, without marks.
    let (serial, count) = search(
        in_pieces(2, hay.len(), usize::MAX, true),
        &pattern,
        &hay,
        false,
    );
    assert_eq!(count, 24);
    assert!(serial.iter().all(|(_, _, mark)| mark.is_none()));
    // Without marks asked for, none are handed over.
    let (unmarked, _) = search(in_pieces(2, 8, usize::MAX, false), &pattern, &hay, false);
    assert!(unmarked.iter().all(|(_, _, mark)| mark.is_none()));
}

#[test]
fn max_zero_hands_over_nothing_and_counts_nothing() {
    let pattern = pattern("a");
    let hay = b"aaaa".repeat(16);
    for searcher in [
        in_pieces(2, 4, 0, false),
        Searcher {
            max: 0,
            ..Searcher::serial()
        },
    ] {
        assert_eq!(search(searcher, &pattern, &hay, false), (vec![], 0));
        assert_eq!(searcher.count(&pattern, &hay), 0);
        assert_eq!(searcher.matches(&pattern, &hay).count(), 0);
    }
}

#[test]
fn groups_are_found_only_for_a_sink_that_reads_them() {
    let pattern = pattern("(a)(b)?");
    let hay = b"ab a";
    let (read, _) = search(Searcher::serial(), &pattern, hay, true);
    assert_eq!(
        read.iter()
            .map(|(_, groups, _)| groups.clone())
            .collect::<Vec<_>>(),
        vec![
            Some(vec![Some(0..2), Some(0..1), Some(1..2)]),
            Some(vec![Some(3..4), Some(3..4), None]),
        ]
    );
    let (unread, _) = search(Searcher::serial(), &pattern, hay, false);
    assert!(unread.iter().all(|(_, groups, _)| groups.is_none()));
    // A pattern without groups has none to hand over, whatever the sink reads.
    let (whole, _) = search(Searcher::serial(), &self::pattern("ab"), hay, true);
    assert_eq!(whole, vec![(0..2, None, None)]);
}

#[test]
fn a_sink_error_stops_the_search_and_is_returned() {
    let pattern = pattern("a");
    let hay = b"a".repeat(64);
    for searcher in [in_pieces(2, 4, usize::MAX, false), Searcher::serial()] {
        for groups in [false, true] {
            let mut calls = 0;
            let mut sink = each_match(|_: Found<'_>| {
                calls += 1;
                match calls {
                    3 => anyhow::bail!("the third"),
                    _ => Ok(()),
                }
            });
            sink.groups = groups;
            let err = searcher.search(&pattern, &hay, &mut sink).unwrap_err();
            assert_eq!(err.to_string(), "the third");
            assert_eq!(calls, 3);
        }
    }
}

proptest! {
    #![proptest_config(crate::property_config(1000))]

    /// Whatever the threads, pieces and limit, a sink is handed the matches of one scan
    /// stepped as Python steps, each with the groups a search from its start finds, and each
    /// mark a true checkpoint before its match; `count` and `matches` agree with it.
    #[test]
    fn the_driver_hands_over_what_one_plain_scan_finds(
        hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n'), Just(b' ')], 0..120),
        source in prop::sample::select(vec![
            "a", "ab", "a*", "(a)(b)?", "(?P<x>a+)|b", "^a", "a$", r"\ba", "", "[^\n]+",
            "(?s)a.*?b", r"(?<=a)b", r"(a)\1", "(?m)^(a|b)",
        ]),
        chunk in 1usize..24,
        threads in 1usize..4,
        max in prop_oneof![Just(usize::MAX), 0usize..6],
        marks in any::<bool>(),
        groups in any::<bool>(),
    ) {
        let pattern = pattern(source);
        let expected = reference(&pattern, &hay, max, groups);
        let searcher = in_pieces(threads, chunk, max, marks);
        let (got, count) = search(searcher, &pattern, &hay, groups);
        prop_assert_eq!(count, expected.len());
        prop_assert_eq!(got.len(), expected.len());
        for ((range, groups, mark), (want_range, want_groups, _)) in got.iter().zip(&expected) {
            prop_assert_eq!(range, want_range);
            prop_assert_eq!(groups, want_groups);
            if let Some(mark) = mark {
                prop_assert!(marks);
                prop_assert!(mark.offset <= range.start);
                prop_assert_eq!(mark.newlines, count_newlines(&hay[..mark.offset]));
            }
        }
        prop_assert_eq!(searcher.count(&pattern, &hay), expected.len());
        let ranges: Vec<_> = expected.iter().map(|(range, _, _)| range.clone()).collect();
        prop_assert_eq!(searcher.matches(&pattern, &hay).collect::<Vec<_>>(), ranges);
    }
}
