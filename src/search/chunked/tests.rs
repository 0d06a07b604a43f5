use super::regex::{regex_pieces, regex_scan};
use super::*;
use crate::search::{Pattern, Shape};

#[test]
fn only_two_pieces_or_more_on_two_threads_or_more_are_split() {
    let two = Split::new(2);
    assert!(two.worth_it(2 * CHUNK));
    assert!(!two.worth_it(2 * CHUNK - 1));
    assert!(!Split::new(1).worth_it(usize::MAX));
    assert!(!Split::new(0).worth_it(usize::MAX));
}

#[test]
fn a_regex_is_cut_by_its_longest_match_or_at_line_ends() {
    let shape = |p: &str| {
        let flags = crate::search::dialect::RegexFlags {
            dot_all: p.contains('.'),
            ..Default::default()
        };
        Pattern::new(p.as_bytes(), &flags)
            .unwrap()
            .span_search()
            .map(|s| s.shape)
    };
    assert_eq!(shape("ab|c{3}"), Some(Shape::Bounded(3)));
    assert_eq!(shape(r"\w+@\w+"), Some(Shape::WithinLines));
    assert_eq!(shape(r"[^.]*?\."), Some(Shape::Unbounded));
    assert_eq!(shape(r"a\s+b"), Some(Shape::Unbounded));
    let hay = b"one\ntwo\nthree\n";
    let ranges = |(pieces, reaches_end): (Vec<Piece>, bool)| {
        let ranges: Vec<_> = pieces
            .iter()
            .map(|p| (p.range.clone(), p.owned_end))
            .collect();
        (ranges, reaches_end)
    };
    let cut = ranges(regex_pieces(hay, Shape::WithinLines, 2));
    assert_eq!(cut.0, [(0..4, 4), (4..8, 8), (8..14, 14), (14..14, 15)]);
    assert!(!cut.1);
    let bounded = ranges(regex_pieces(hay, Shape::Bounded(1), 5));
    assert_eq!(bounded, (vec![(0..6, 5), (5..11, 10), (10..14, 15)], false));
    // Matches that may reach anywhere: pieces that do not overlap, searched to the end.
    let anywhere = ranges(regex_pieces(hay, Shape::Unbounded, 5));
    assert_eq!(anywhere, (vec![(0..5, 5), (5..10, 10), (10..14, 15)], true));
    assert_eq!(ranges(regex_pieces(hay, Shape::Bounded(5), 5)), anywhere);
}

#[test]
fn a_search_that_leaves_its_piece_is_remembered_for_the_pieces_it_passed() {
    let mut hay = vec![b'x'; 1000];
    hay.extend_from_slice(b"ab");
    let pattern = Pattern::new(b"a[^x]*b", &Default::default()).unwrap();
    let split = Split {
        threads: 1,
        chunk: 100,
    };
    let (scanner, pieces) = regex_scan(&pattern, &hay, split).unwrap();
    assert!(scanner.reaches_end);
    assert_eq!(scanner.scan(&pieces[0], 0).count(), 0);
    let known = (*scanner.known.lock().unwrap()).unwrap();
    assert_eq!((known.from, known.found), (0, Some((1000, 1002))));
    // A piece it passed over finds nothing of its own; the last finds the match.
    assert_eq!(scanner.scan(&pieces[4], 400).count(), 0);
    let last = pieces.last().unwrap();
    assert_eq!(
        scanner.scan(last, last.range.start).collect::<Vec<_>>(),
        [(1000, 1002)]
    );
    // A search past the match is no longer answered by it.
    scanner.remember(1002, None);
    let known = (*scanner.known.lock().unwrap()).unwrap();
    assert_eq!((known.from, known.found), (1002, None));
    assert_eq!(scanner.search(1001, hay.len(), true), None);
    assert_eq!(scanner.search(0, hay.len(), true), Some((1000, 1002)));
    // A nearer result does not replace a further one.
    scanner.remember(0, Some((1000, 1002)));
    assert_eq!((*scanner.known.lock().unwrap()).unwrap().found, None);
}

#[test]
fn pieces_own_what_starts_before_the_next_one() {
    let got = pieces(&[0..25, 30..34], 10, 3);
    let starts: Vec<_> = got.iter().map(|p| (p.range.clone(), p.owned_end)).collect();
    assert_eq!(
        starts,
        [(0..12, 10), (10..22, 20), (20..25, 26), (30..34, 35)]
    );
}

#[test]
fn a_straddling_occurrence_moves_the_next_piece_on() {
    // "aa" in "aaaaa" cut at 2: the scan from 0 takes 0 and 2, so the piece at 2 must not
    // count its own occurrence at 3.
    let hay = b"aaaaaaa";
    let needle = Needle::new(b"aa");
    let split = Split {
        threads: 2,
        chunk: 3,
    };
    let windows = [0..hay.len()];
    let search = |overlapping| Search {
        needle: &needle,
        hay,
        windows: &windows,
        overlapping,
    };
    assert_eq!(count(search(false), split, &|_| {}), 3);
    let mut listed = Vec::new();
    all(search(false), split, &|_| {}, |at| {
        listed.push(at);
        true
    });
    assert_eq!(listed, [0, 2, 4]);
    assert_eq!(count(search(true), split, &|_| {}), 6);
}
