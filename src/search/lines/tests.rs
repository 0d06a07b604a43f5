use super::*;

#[test]
fn the_lines_no_match_touches_and_the_number_touched() {
    let hay = b"foo bar\nbaz\nfoo foo\n\nend";
    let matches = || [0..3, 12..15, 16..19].into_iter();
    let mut untouched = Vec::new();
    lines_untouched::<()>(hay, matches(), |line| {
        untouched.push(line);
        Ok(())
    })
    .unwrap();
    assert_eq!(untouched, [8..12, 20..21, 21..24]);
    assert_eq!(lines_touched(hay, matches()), 2);
    // A match across a newline touches both lines; nothing at all, no line.
    assert_eq!(lines_touched(hay, [5..10].into_iter()), 2);
    assert_eq!(lines_touched(hay, std::iter::empty()), 0);
    assert_eq!(lines_in(hay), 5);
    assert_eq!(lines_in(b"a\n"), 1);
    assert_eq!(lines_in(b""), 0);
}
use proptest::prelude::*;

/// What is printed, as grep writes it: `N:line` for a matching line (then the matches it
/// highlights), `N-line` for context,
/// `--` between groups, when there is context.
fn printed(hay: &[u8], matches: &[Range<usize>], before: usize, after: usize) -> Vec<String> {
    printed_cut(hay, matches, before, after, None)
}

/// [`printed`], the matches handed over as pieces cut at `cuts` hand them (see
/// `WholeLines::push_marked`), when there are cuts.
fn printed_cut(
    hay: &[u8],
    matches: &[Range<usize>],
    before: usize,
    after: usize,
    cuts: Option<&[usize]>,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut emit = |piece: Shown| -> Result<(), ()> {
        out.push(match piece {
            Shown::Separator => "--".to_owned(),
            Shown::Line {
                number,
                range,
                context,
                matches,
            } => format!(
                "{number}{}{}{}",
                if context { '-' } else { ':' },
                String::from_utf8_lossy(&hay[range.clone()]),
                match context {
                    true => String::new(),
                    false => highlighted(matches, &range),
                }
            ),
        });
        Ok(())
    };
    let mut lines = WholeLines::new(hay, before, after);
    for found in matches {
        match cuts {
            None => lines.push(found.clone(), &mut emit).unwrap(),
            // As pieces cut at `cuts` hand them over: each match with the mark of the
            // piece it was found in (the last cut at or before it).
            Some(cuts) => {
                let offset = cuts
                    .iter()
                    .copied()
                    .filter(|&cut| cut <= found.start.min(hay.len()))
                    .max()
                    .unwrap_or(0);
                let newlines = count_newlines(&hay[..offset]);
                let mark = LineMark { offset, newlines };
                lines.push_marked(found.clone(), mark, &mut emit).unwrap();
            }
        }
    }
    lines.finish(&mut emit).unwrap();
    out
}

/// The matches a printed line highlights: those with a byte on it (an empty one: at a
/// position on it), as `grep` paints them; a line must be handed every one of them.
fn highlighted(matches: &[Range<usize>], line: &Range<usize>) -> String {
    let on_line = |found: &&Range<usize>| match found.is_empty() {
        true => line.contains(&found.start),
        false => found.start < line.end && found.end > line.start,
    };
    format!("{:?}", matches.iter().filter(on_line).collect::<Vec<_>>())
}

/// The plain reference: every line marked as matching (a match touches it), in context
/// (within reach of one), or neither; runs of printed lines separated by `--`.
fn reference(hay: &[u8], matches: &[Range<usize>], before: usize, after: usize) -> Vec<String> {
    let mut starts = vec![0];
    for (i, &b) in hay.iter().enumerate() {
        if b == b'\n' && i + 1 < hay.len() {
            starts.push(i + 1);
        }
    }
    if hay.is_empty() {
        return Vec::new();
    }
    let line_of = |offset: usize| starts.partition_point(|&s| s <= offset) - 1;
    let mut matching = vec![false; starts.len()];
    for found in matches {
        if found.start >= hay.len() && hay.ends_with(b"\n") {
            continue;
        }
        let last = if found.end > found.start {
            found.end - 1
        } else {
            found.start
        };
        let (first, last) = (line_of(found.start), line_of(last.min(hay.len() - 1)));
        matching[first..=last].fill(true);
    }
    let n = starts.len();
    let shown = |line: usize| {
        (line.saturating_sub(after)..=line).any(|m| matching[m])
            || (line..=(line + before).min(n - 1)).any(|m| matching[m])
    };
    let mut out = Vec::new();
    let mut last_shown: Option<usize> = None;
    for line in 0..n {
        if !shown(line) {
            continue;
        }
        if (before > 0 || after > 0) && last_shown.is_some_and(|last| last + 1 < line) {
            out.push("--".to_owned());
        }
        let end = starts.get(line + 1).copied().unwrap_or(hay.len());
        out.push(format!(
            "{}{}{}{}",
            line + 1,
            if matching[line] { ':' } else { '-' },
            String::from_utf8_lossy(&hay[starts[line]..end]),
            match matching[line] {
                true => highlighted(matches, &(starts[line]..end)),
                false => String::new(),
            }
        ));
        last_shown = Some(line);
    }
    out
}

#[test]
fn groups_context_and_separators_as_rg_prints_them() {
    let hay = b"a\nfoo one\nb\nc\nd\ne\nfoo two foo\nf\n";
    let found = |needle: &[u8]| -> Vec<Range<usize>> {
        memchr::memmem::find_iter(hay, needle)
            .map(|at| at..at + needle.len())
            .collect()
    };
    // rg -n -C1 foo: two groups, the line with two matches once.
    assert_eq!(
        printed(hay, &found(b"foo"), 1, 1),
        [
            "1-a\n",
            "2:foo one\n[2..5]",
            "3-b\n",
            "--",
            "6-e\n",
            "7:foo two foo\n[18..21, 26..29]",
            "8-f\n"
        ]
    );
    // Context that reaches the next group joins it: no separator.
    assert_eq!(printed(hay, &found(b"foo"), 2, 2).len(), 8);
    assert!(!printed(hay, &found(b"foo"), 2, 2).contains(&"--".to_owned()));
    // Without context, lines that do not touch are not separated (as grep -n).
    assert_eq!(
        printed(hay, &found(b"foo"), 0, 0),
        ["2:foo one\n[2..5]", "7:foo two foo\n[18..21, 26..29]"]
    );
    // A match across lines prints every line it touches.
    assert_eq!(
        printed(hay, &[4..12], 0, 0),
        ["2:foo one\n[4..12]", "3:b\n[4..12]"]
    );
}

#[test]
fn a_line_with_two_matches_is_given_both_to_highlight() {
    let hay = b"x\nfoo two foo\ny\n";
    let mut lines = WholeLines::new(hay, 0, 0);
    let mut seen = Vec::new();
    let mut emit = |piece: Shown| -> Result<(), ()> {
        if let Shown::Line { range, matches, .. } = piece {
            seen.push((range, matches.to_vec()));
        }
        Ok(())
    };
    lines.push(2..5, &mut emit).unwrap();
    lines.push(10..13, &mut emit).unwrap();
    lines.finish(&mut emit).unwrap();
    assert_eq!(seen, [(2..14, vec![2..5, 10..13])]);
}

#[test]
fn a_last_line_without_newline_and_an_empty_match_at_the_end() {
    let hay = b"x\nfoo";
    assert_eq!(printed(hay, &[2..5], 1, 0), ["1-x\n", "2:foo[2..5]"]);
    // `$` at the very end of "x\n": there is no line after the newline.
    assert_eq!(printed(b"x\n", &[2..2], 0, 0), Vec::<String>::new());
    assert_eq!(printed(b"x\n", &[1..1], 0, 0), ["1:x\n[1..1]"]);
}

#[test]
fn the_first_nul_whatever_the_threads() {
    let mut hay = vec![b'x'; 20 << 20];
    assert_eq!(first_nul(&hay, 4), None);
    hay[15 << 20] = 0;
    hay[(18 << 20) + 3] = 0;
    for threads in [1, 2, 3, 8] {
        assert_eq!(first_nul(&hay, threads), Some(15 << 20), "{threads}");
    }
    hay[5] = 0;
    assert_eq!(first_nul(&hay, 2), Some(5));
    assert_eq!(first_nul(b"ab\0", 2), Some(2));
}

#[test]
fn line_counter_counts_forward_and_back() {
    let hay = b"a\nb\nc\nd";
    let mut lines = LineCounter::default();
    assert_eq!(lines.line_of(hay, 0), 1);
    assert_eq!(lines.line_of(hay, 2), 2);
    assert_eq!(lines.line_of(hay, 7), 4);
    assert_eq!(lines.line_of(hay, 3), 2);
    assert_eq!(lines.line_of(hay, 4), 3);
    assert_eq!(lines.line_of(hay, 100), 4);
}

proptest! {
    #![proptest_config(crate::property_config(2000))]

    #[test]
    fn whole_lines_match_the_reference(
        hay in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'a'), Just(b'b')], 0..60),
        picks in proptest::collection::vec((0usize..64, 0usize..4), 0..8),
        before in 0usize..3,
        after in 0usize..3,
        cuts in proptest::collection::vec(0usize..64, 0..4),
    ) {
        // Matches in order, not overlapping, within the haystack.
        let mut matches = Vec::new();
        let mut floor = 0;
        let mut picks = picks;
        picks.sort();
        for (start, len) in picks {
            let start = start.min(hay.len()).max(floor);
            let end = (start + len).min(hay.len());
            if start > hay.len() { continue; }
            matches.push(start..end);
            floor = end.max(start + 1);
        }
        prop_assert_eq!(
            printed(&hay, &matches, before, after),
            reference(&hay, &matches, before, after)
        );
        // Handed over piece by piece, each with its piece's mark: the same lines.
        let cuts: Vec<usize> = cuts.iter().map(|c| c % (hay.len() + 1)).collect();
        prop_assert_eq!(
            printed_cut(&hay, &matches, before, after, Some(&cuts)),
            reference(&hay, &matches, before, after)
        );
    }

    #[test]
    fn line_numbers_match_a_count_from_the_start(
        hay in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'x')], 0..200),
        offsets in proptest::collection::vec(0usize..220, 1..20),
    ) {
        let mut lines = LineCounter::default();
        for offset in offsets {
            let expected = 1 + hay[..offset.min(hay.len())].iter().filter(|&&b| b == b'\n').count() as u64;
            prop_assert_eq!(lines.line_of(&hay, offset), expected);
        }
    }
}
