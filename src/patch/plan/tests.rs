use super::*;

#[test]
fn same_edits_compares_ranges_and_bytes_put_in() {
    let hay = b"one foo two foo";
    let plan = Plan::literal(hay, b"foo", b"bar", usize::MAX);
    assert!(plan.same_edits(&Plan::puts([(4..7, &b"bar"[..]), (12..15, &b"bar"[..])])));
    assert!(plan.same_edits(&Plan::literal(hay, b"foo", b"bar", usize::MAX)));
    // Another replacement, another range, one edit fewer, one more.
    assert!(!plan.same_edits(&Plan::literal(hay, b"foo", b"baz", usize::MAX)));
    assert!(!plan.same_edits(&Plan::puts([(4..7, &b"bar"[..]), (12..14, &b"bar"[..])])));
    assert!(!plan.same_edits(&Plan::literal(hay, b"foo", b"bar", 1)));
    assert!(!Plan::literal(hay, b"foo", b"bar", 1).same_edits(&plan));
    assert!(Plan::default().same_edits(&Plan::default()));
}

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
fn an_overwrite_is_one_edit_of_its_bytes() {
    let plan = Plan::overwrite(3, b"xyz");
    assert!(!plan.is_empty());
    assert!(plan.keeps_length());
    assert_eq!(plan.touched(), Some(3..6));
    let edits: Vec<_> = plan.edits().collect();
    assert_eq!((edits.len(), edits[0].start, edits[0].end), (1, 3, 6));
    assert_eq!(plan.replacement(&edits[0]), b"xyz");
    assert_eq!(plan.render(b"abcdefgh", 0..8), b"abcxyzgh");
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

/// The edits of a plan with their new bytes, to compare plans by.
fn spelled(plan: &Plan) -> Vec<(usize, usize, Vec<u8>)> {
    plan.edits()
        .map(|e| (e.start, e.end, plan.replacement(&e).to_vec()))
        .collect()
}

#[test]
fn keeping_some_edits_makes_a_plan_of_just_those() {
    let old = b"a1 b22 c333 d4";
    let plan = regex_plan(old, r"\d+", "<${0}>");
    let kept = plan.keeping(|i| i == 1 || i == 2);
    assert_eq!(
        spelled(&kept),
        [(4, 6, b"<22>".to_vec()), (8, 11, b"<333>".to_vec())]
    );
    assert_eq!(rewritten(old, &kept), b"a1 b<22> c<333> d4");
    assert!(!kept.keeps_length());
    assert_eq!(spelled(&plan.keeping(|_| true)), spelled(&plan));
    assert!(plan.keeping(|_| false).is_empty());
    // Same-length edits kept from a plan that has others: patched in place.
    let plan = regex_plan(old, r"\d+", "x");
    assert!(plan.keeping(|i| i == 0 || i == 3).keeps_length());
    assert!(!plan.keeping(|i| i == 1).keeps_length());
}

#[test]
fn keeping_edits_of_a_literal_plan_keeps_it_literal() {
    let old = b"foo foo foo";
    let plan = Plan::literal(old, b"foo", b"barr", usize::MAX);
    let kept = plan.keeping(|i| i != 1);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept.literal_gaps().map(|(old, _)| old), Some(&b"foo"[..]));
    assert_eq!(rewritten(old, &kept), b"barr foo barr");
    assert_eq!(kept.touched(), Some(0..11));
}

/// `re.sub(pattern, template, hay)` as a plan, for tests.
pub fn regex_plan(hay: &[u8], pattern: &str, template: &str) -> Plan {
    let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
    let template = Template::parse(template.as_bytes(), &pattern).unwrap();
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
