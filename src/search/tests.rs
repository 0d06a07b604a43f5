use super::*;
use crate::search::linear::{LONG_LITERALS, LiteralSearch};
use regex::bytes::Regex;

#[test]
fn bounds_clamp_like_python() {
    assert_eq!(clamp_bounds(10, None, None), 0..10);
    assert_eq!(clamp_bounds(10, Some(-3), None), 7..10);
    assert_eq!(clamp_bounds(10, Some(-30), Some(30)), 0..10);
    let reversed = clamp_bounds(10, Some(8), Some(2));
    assert_eq!((reversed.start, reversed.end), (8, 2));
}

fn whole(hay: &[u8]) -> Vec<Range<usize>> {
    vec![0..hay.len()]
}

#[test]
fn count_leaves_a_start_past_the_end_there() {
    assert!(starts_past_end(3, Some(4)));
    assert!(!starts_past_end(3, Some(3)));
    assert!(!starts_past_end(3, Some(-10)));
    assert!(!starts_past_end(3, None));
    assert!(starts_past_end(0, Some(i64::MAX)));
}

#[test]
fn find_rfind_and_all() {
    let hay = b"abcabcab";
    let needle = Needle::new(b"ab");
    assert_eq!(needle.first(hay, &whole(hay)), Some(0));
    assert_eq!(needle.first(hay, &[1..8]), Some(3));
    assert_eq!(needle.last(hay, &whole(hay)), Some(6));
    assert_eq!(needle.last(hay, &[0..7]), Some(3));
    assert_eq!(
        needle.all(hay, whole(hay), false).collect::<Vec<_>>(),
        [0, 3, 6]
    );
    let aaa = Needle::new(b"aa");
    assert_eq!(
        aaa.all(b"aaaa", vec![0..4], false).collect::<Vec<_>>(),
        [0, 2]
    );
    assert_eq!(
        aaa.all(b"aaaa", vec![0..4], true).collect::<Vec<_>>(),
        [0, 1, 2]
    );
}

#[test]
fn an_empty_needle_is_everywhere() {
    let empty = Needle::new(b"");
    assert_eq!(empty.first(b"abc", &[1..3]), Some(1));
    assert_eq!(empty.last(b"abc", &[0..3]), Some(3));
    assert_eq!(empty.all(b"abc", vec![0..3], false).count(), 4);
    let reversed = clamp_bounds(3, Some(2), Some(1));
    assert_eq!(empty.first(b"abc", &[reversed]), None);
}

#[test]
fn windows_skip_holes_but_keep_matches_that_straddle_them() {
    // Data at 10..12 and 20..30 of a 40-byte file; the needle is 4 bytes long.
    let extents = [10..12, 20..30];
    assert_eq!(
        search_windows(Some(&extents), b"\0\0ab", 0..40),
        [7..15, 17..33]
    );
    assert_eq!(search_windows(Some(&extents), b"\0\0ab", 12..40), [17..33]);
    assert_eq!(search_windows(Some(&extents), b"\0\0\0\0", 0..40), [0..40]);
    assert_eq!(search_windows(None, b"ab", 0..40), [0..40]);
    let mut hay = vec![0u8; 40];
    hay[10..12].copy_from_slice(b"ab");
    hay[20..22].copy_from_slice(b"ab");
    let windows = search_windows(Some(&extents), b"\0\0ab", 0..40);
    let needle = Needle::new(b"\0\0ab");
    assert_eq!(
        needle.all(&hay, windows.clone(), false).collect::<Vec<_>>(),
        [8, 18]
    );
    assert_eq!(needle.last(&hay, &windows), Some(18));
}

#[test]
fn regex_iteration_allows_empty_matches_after_non_empty_ones() {
    let re = Regex::new(r"\w*").unwrap();
    let hay = b"ab cd";
    let spans: Vec<_> = python_matches(hay.len(), |pos| re.find_at(hay, pos), |m| m.range())
        .map(|m| m.range())
        .collect();
    // Python: [m.span() for m in re.finditer(rb'\w*', b'ab cd')]
    assert_eq!(spans, [0..2, 2..2, 3..5, 5..5]);
}

#[test]
fn bytes_semantics_by_default() {
    let flags = RegexFlags::default();
    let re = Pattern::new(br"\W", &flags).unwrap();
    assert_eq!(re.find_at(b"\xff", 0), Some(0..1));
    let re = Pattern::new(br"\xff", &flags).unwrap();
    assert_eq!(re.find_at(b"\xff", 0), Some(0..1));
    assert_eq!(re.find_at("ÿ".as_bytes(), 0), None);
}

#[test]
fn pure_literals_take_a_literal_searcher_when_the_regex_engines_would_be_slow() {
    let kind = |pattern: &[u8], flags: &RegexFlags| match &Pattern::new(pattern, flags)
        .unwrap()
        .linear()
        .literals
    {
        Some(LiteralSearch::One(_)) => "one",
        Some(LiteralSearch::Many(_)) => "many",
        None => "regex",
    };
    let plain = RegexFlags::default();
    let folded = RegexFlags {
        ignore_case: true,
        ..RegexFlags::default()
    };
    let long = "x".repeat(LONG_LITERALS);
    assert_eq!(kind(b"consectetuer", &plain), "one");
    assert_eq!(kind(br"a\.b\x00\n", &plain), "one");
    assert_eq!(kind(b"foo|bar", &plain), "regex");
    assert_eq!(kind(format!("{long}|y").as_bytes(), &plain), "many");
    assert_eq!(kind(b"foo", &folded), "regex");
    assert_eq!(kind(format!("{long}y").as_bytes(), &folded), "many");
    assert_eq!(kind(format!("(?i){long}y").as_bytes(), &plain), "many");
    for pattern in [
        "a.b", "a+", "(ab)", "(?:ab)", "[ab]", "^a", "a$", r"\bab", r"\d", "a|", "|a", "",
    ] {
        assert_eq!(kind(pattern.as_bytes(), &plain), "regex", "{pattern:?}");
    }
    let unicode_folded = RegexFlags {
        ignore_case: true,
        unicode: true,
        ..RegexFlags::default()
    };
    assert_eq!(
        kind(format!("{long}y").as_bytes(), &unicode_folded),
        "regex"
    );
}

#[test]
fn non_boundary_never_matches_an_empty_haystack() {
    let re = Pattern::new(br"\B", &RegexFlags::default()).unwrap();
    assert_eq!(re.find_at(b"", 0), None);
    assert_eq!(re.find_at(b"ab", 0), Some(1..1));
    let plain = Pattern::new(b"x*", &RegexFlags::default()).unwrap();
    assert_eq!(plain.find_at(b"", 0), Some(0..0));
}
