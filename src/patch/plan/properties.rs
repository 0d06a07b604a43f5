use super::*;
use proptest::prelude::*;

use super::bytes_replace as reference;

fn bytes(range: std::ops::Range<usize>) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8)], range)
}

proptest! {
    #![proptest_config(crate::property_config(3000))]

    /// A plan of the edits a review kept is the plan's edits, filtered: literal or not,
    /// its new bytes, its length and whether it keeps the file's length.
    #[test]
    fn keeping_edits_is_filtering_them(
        hay in bytes(0..60),
        old in bytes(1..3),
        new in bytes(0..4),
        regex in any::<bool>(),
        keep in prop::collection::vec(any::<bool>(), 0..60),
    ) {
        let plan = if regex {
            let pattern: String = old.iter().map(|b| format!("\\x{b:02x}+")).collect();
            tests::regex_plan(&hay, &pattern, "<$0>")
        } else {
            Plan::literal(&hay, &old, &new, usize::MAX)
        };
        let kept_at = |i: usize| keep.get(i).copied().unwrap_or(false);
        let kept = plan.keeping(kept_at);
        let spelled = |plan: &Plan| -> Vec<(usize, usize, Vec<u8>)> {
            plan.edits().map(|e| (e.start, e.end, plan.replacement(&e).to_vec())).collect()
        };
        let filtered: Vec<_> = spelled(&plan)
            .into_iter()
            .enumerate()
            .filter(|&(i, _)| kept_at(i))
            .map(|(_, edit)| edit)
            .collect();
        prop_assert_eq!(kept.len(), filtered.len());
        prop_assert_eq!(
            kept.keeps_length(),
            filtered.iter().all(|(start, end, new)| end - start == new.len())
        );
        prop_assert_eq!(kept.literal_gaps().is_some(), plan.literal_gaps().is_some());
        prop_assert_eq!(spelled(&kept), filtered);
    }

    /// The compact encoding gives back every edit as pushed: offsets, lengths and new
    /// bytes, whatever their sizes (numbers of one to three LEB128 bytes).
    #[test]
    fn a_plan_reads_back_the_edits_it_was_given(
        shapes in prop::collection::vec(
            (prop_oneof![0usize..3, 100usize..200, 20_000usize..40_000], 0usize..300, bytes(0..4)),
            0..40,
        ),
    ) {
        let mut plan = Plan::default();
        let mut given = Vec::new();
        let mut at = 0;
        for (gap, old_len, new) in shapes {
            let start = at + gap;
            let from = plan.arena.len();
            plan.arena.extend_from_slice(&new);
            plan.push(start, start + old_len, from..plan.arena.len());
            given.push((start, start + old_len, new));
            at = start + old_len;
        }
        let read: Vec<_> = plan
            .edits()
            .map(|e| (e.start, e.end, plan.replacement(&e).to_vec()))
            .collect();
        prop_assert_eq!(&read, &given);
        prop_assert_eq!(plan.len(), given.len());
        prop_assert_eq!(plan.edits().len(), given.len());
        let mut advanced = plan.edits();
        advanced.next();
        prop_assert_eq!(advanced.len(), given.len().saturating_sub(1));
        prop_assert_eq!(
            plan.keeps_length(),
            given.iter().all(|(start, end, new)| end - start == new.len())
        );
        prop_assert_eq!(
            plan.touched(),
            given.first().map(|first| first.0..given.last().map_or(0, |last| last.1))
        );
        if let Some(&(start, _, _)) = given.get(given.len() / 2) {
            let from_middle: Vec<usize> =
                plan.edits_starting_at(start).map(|e| e.start).collect();
            let expected: Vec<usize> =
                given.iter().map(|g| g.0).filter(|&s| s >= start).collect();
            prop_assert_eq!(from_middle, expected);
        }
    }

    /// Stretches hand out the first `count` edits, each once and in order, each stretch as
    /// long as it can be within `span` bytes, and leave the edits after them.
    #[test]
    fn stretches_take_the_edits_in_order_each_within_its_span(
        shapes in prop::collection::vec((0usize..50, 0usize..30), 0..40),
        span in 0usize..120,
        cut in 0usize..45,
    ) {
        let mut plan = Plan::default();
        let mut at = 0;
        for (gap, len) in shapes {
            plan.arena.extend(std::iter::repeat_n(b'x', len));
            let start = at + gap;
            plan.push(start, start + len, plan.arena.len() - len..plan.arena.len());
            at = start + len;
        }
        let all: Vec<Edit> = plan.edits().collect();
        let count = cut.min(all.len());
        let mut edits = plan.edits();
        let got: Vec<Stretch> = stretches(&mut edits, count, span).collect();
        let handed: Vec<Edit> = got.iter().flat_map(Stretch::edits).collect();
        prop_assert_eq!(&handed[..], &all[..count]);
        let after = edits.next();
        prop_assert_eq!(after.as_ref(), all.get(count));
        for (n, stretch) in got.iter().enumerate() {
            let inside: Vec<Edit> = stretch.edits().collect();
            prop_assert!(!inside.is_empty());
            prop_assert_eq!(
                stretch.range.clone(),
                inside[0].start..inside[inside.len() - 1].end
            );
            prop_assert!(inside.len() == 1 || stretch.range.len() <= span);
            // As long as it can be: the next stretch's first edit would not have fitted.
            if let Some(next) = got.get(n + 1) {
                let first_after = next.edits().next().unwrap();
                prop_assert!(first_after.end - stretch.range.start > span);
            }
        }
    }

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

    /// Planned on several threads, in pieces of any size, a literal plan is the one-thread
    /// plan: the same edits, the same count limit.
    #[test]
    fn literal_plans_split_among_threads_are_the_same_plans(
        hay in bytes(0..160), old in bytes(1..4), new in bytes(0..5), count in 0usize..8,
        all in any::<bool>(), chunk in 1usize..30, threads in 2usize..4,
    ) {
        let count = if all { usize::MAX } else { count };
        let one = Plan::literal(&hay, &old, &new, count);
        let windows = [0..hay.len()];
        let split = Split { threads, chunk };
        let many = Plan::literal_split(&hay, &windows, (&old, &new), count, split, &|_| {});
        prop_assert_eq!(many.edits().collect::<Vec<_>>(), one.edits().collect::<Vec<_>>());
        prop_assert_eq!(many.keeps_length(), one.keeps_length());
        prop_assert_eq!(many.render(&hay, 0..hay.len()), one.render(&hay, 0..hay.len()));
    }

    /// The same for `re.sub`: cut where the pattern allows, expanded in order, groups
    /// recaptured at each match's start.
    #[test]
    fn regex_plans_split_among_threads_are_the_same_plans(
        hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n')], 0..160),
        (pattern, template) in prop::sample::select(vec![
            ("a", "X"), ("(a)(b)?", "<$2$1>"), ("b*", "-"), (r"\w+", "[$0]"), ("(?m)^", ">"),
            ("a|ab", "Y"), (r"(?s)a.", "$0$0"), ("x*", "."),
        ]),
        count in 0usize..8, all in any::<bool>(), chunk in 1usize..30, threads in 2usize..4,
    ) {
        let count = if all { usize::MAX } else { count };
        let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
        let template = Template::parse(template.as_bytes(), &pattern).unwrap();
        let one = Plan::regex(&hay, &pattern, &template, count);
        let split = Split { threads, chunk };
        let many = Plan::regex_split(&hay, &pattern, &template, count, split);
        let edits = |plan: &Plan| {
            plan.edits().map(|e| (e.start, e.end, plan.replacement(&e).to_vec())).collect::<Vec<_>>()
        };
        prop_assert_eq!(edits(&many), edits(&one));
    }
}
