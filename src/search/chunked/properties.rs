use super::regex::regex_scan;
use super::*;
use crate::search::Pattern;
use proptest::prelude::*;

fn bytes(range: Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8)], range)
}

fn windows_of(len: usize, cuts: &[usize]) -> Vec<Range<usize>> {
    // Disjoint, non-touching windows from sorted cut points, or the whole haystack.
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (len + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut windows: Vec<Range<usize>> = points
        .chunks_exact(2)
        .map(|pair| pair[0]..pair[1])
        .collect();
    windows.dedup_by(|b, a| b.start <= a.end);
    if windows.is_empty() {
        windows.push(0..len);
    }
    windows
}

proptest! {
    #![proptest_config(crate::property_config(2000))]

    /// A regex cut into pieces (overlapping by its longest match, or at line ends when no
    /// match holds a newline) gives the matches of one scan stepped as Python steps.
    #[test]
    fn regex_pieces_stitch_back_to_one_scan(
        hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n'), Just(b' ')], 0..160),
        pattern in prop::sample::select(vec![
            "a", "ab", "aa", "a*", "a+b?", "(a|b)a", "a{2}", "x*", "^a", "a$", r"\ba", r"a\B",
            "[^\n]+", "a.b", "(?m)^a", "(?m)a$", ".", "a|", "(?s).a", r"\w+", "b|ab", "", r"\Z",
            // Matches that may cross any cut: searched past the pieces' ends.
            "(?s)a.*?b", "[ab\n]+", "b[^a]*a", r"(\n\W+)?(a[^\n]*?\n)", "(?s)a.*b|\n", "a*$",
        ]),
        chunk in 1usize..24,
        threads in 1usize..4,
        keep in 1usize..5,
    ) {
        let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
        let split = Split { threads, chunk };
        let expected: Vec<Range<usize>> = crate::search::python_matches(
            hay.len(),
            |pos| pattern.find_at(&hay, pos),
            Clone::clone,
        )
        .collect();
        let (scanner, pieces) = regex_scan(&pattern, &hay, split).unwrap();
        for keep in [keep, KEEP_FOR_COUNT] {
            prop_assert_eq!(count_in(&scanner, &pieces, split, keep, &|_| {}), expected.len());
            let mut listed = Vec::new();
            all_in(&scanner, &pieces, split, keep, &|_| {}, |(start, end)| {
                listed.push(start..end);
                true
            });
            prop_assert_eq!(&listed, &expected);
        }
        // With marks: the same matches, each after its mark, whose newlines are those
        // before it, and a line counter that jumps to them numbers every match as one
        // that counts from the start.
        let mut marked = Vec::new();
        let mut lines = crate::search::lines::LineCounter::default();
        regex_all_marked(&pattern, &hay, split, &|_| {}, |found, mark| {
            let before = count_newlines(&hay[..mark.offset]);
            assert!(mark.offset <= found.start, "{mark:?} after {found:?}");
            assert_eq!(mark.newlines, before, "{mark:?}");
            lines.jump(mark);
            let line = lines.line_of(&hay, found.start);
            marked.push((found.clone(), line));
            true
        });
        let numbered: Vec<(Range<usize>, u64)> = expected
            .iter()
            .map(|found| {
                (found.clone(), count_newlines(&hay[..found.start]) + 1)
            })
            .collect();
        prop_assert_eq!(marked, numbered);
    }

    /// Any cut into pieces, any number of threads: the same occurrences as one scan.
    #[test]
    fn pieces_stitch_back_to_one_scan(
        hay in bytes(0..200),
        needle in bytes(0..4),
        chunk in 1usize..40,
        threads in 1usize..4,
        keep in 1usize..5,
        overlapping in any::<bool>(),
        cuts in prop::collection::vec(0usize..200, 0..6),
    ) {
        let windows = windows_of(hay.len(), &cuts);
        let finder = Needle::new(&needle);
        let split = Split { threads, chunk };
        let expected: Vec<usize> =
            finder.all(&hay, windows.clone(), overlapping).collect();
        let search = Search { needle: &finder, hay: &hay, windows: &windows, overlapping };
        let (scanner, pieces) = literal(search, split);
        for keep in [keep, KEEP_FOR_COUNT] {
            prop_assert_eq!(count_in(&scanner, &pieces, split, keep, &|_| {}), expected.len());
            let mut listed = Vec::new();
            all_in(&scanner, &pieces, split, keep, &|_| {}, |at| {
                listed.push(at);
                true
            });
            prop_assert_eq!(&listed, &expected);
            // A listing stopped early stops at the same place.
            let mut head = Vec::new();
            all_in(&scanner, &pieces, split, keep, &|_| {}, |at| {
                head.push(at);
                head.len() < 3
            });
            prop_assert_eq!(&head[..], &expected[..expected.len().min(3)]);
        }
        prop_assert_eq!(first(&finder, &hay, &windows, split), finder.first(&hay, &windows));
        prop_assert_eq!(last(&finder, &hay, &windows, split), finder.last(&hay, &windows));
    }
}
