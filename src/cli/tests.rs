use super::*;

#[test]
fn clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

fn parse(args: &[&str]) -> Cli {
    let args = std::iter::once("mmt").chain(args.iter().copied());
    parse_from(args.map(OsString::from).collect()).unwrap()
}

#[test]
fn values_that_start_with_a_dash_arrive_as_typed() {
    let Command::Slice(slice) = parse(&["slice", "f", "-20:", "-3+5", "--format", "repr"]).command
    else {
        panic!("not slice");
    };
    assert_eq!(slice.ranges, [Raw("-20:".into()), Raw("-3+5".into())]);
    assert_eq!(slice.format, Some(FormatArg::Repr));
    // Values spelled like flags (`-` and a letter) after `--`, or joined with `=`.
    let Command::Replace(replace) = parse(&[
        "replace",
        "--max",
        "-1",
        "--backup=-old",
        "f",
        "--",
        "-x",
        "-y",
    ])
    .command
    else {
        panic!("not replace");
    };
    assert_eq!(
        replace.args,
        [Raw("f".into()), Raw("-x".into()), Raw("-y".into())]
    );
    assert_eq!(replace.max, Some(Raw("-1".into())));
    assert_eq!(replace.backup, Some(Raw("-old".into())));
}

#[test]
fn an_unknown_short_flag_is_an_unknown_flag_not_a_value() {
    let args = ["mmt", "grep", "tree", "fn", "-Z"].map(OsString::from);
    let err = parse_from(args.to_vec()).unwrap_err().render().to_string();
    assert!(err.contains("unexpected argument '-Z' found"), "{err}");
    assert!(err.contains("use '-- -Z'"), "{err}");
    // The issue's own example: `-l` after the pattern is now grep's flag, not a PATH.
    let Command::Grep(grep) = parse(&["grep", "tree", "fn", "-l"]).command else {
        panic!("not grep");
    };
    assert!(grep.list.files_with_matches);
    assert_eq!(grep.args, [Raw("tree".into()), Raw("fn".into())]);
}

#[test]
fn flags_may_come_between_paths_and_after_them() {
    let Command::Find(find) = parse(&["find", "a", "--count", "b", "needle", "-j2"]).command else {
        panic!("not find");
    };
    assert_eq!(
        find.args,
        [Raw("a".into()), Raw("b".into()), Raw("needle".into())]
    );
    assert!(find.count);
}

#[test]
fn a_misspelt_long_flag_gets_clap_s_tip_wherever_it_stands() {
    for args in [
        ["mmt", "replace", "--regx", "f", "a", "b"],
        ["mmt", "replace", "f", "a", "b", "--regx"],
    ] {
        let err = parse_from(args.iter().map(OsString::from).collect()).unwrap_err();
        assert!(err.to_string().contains("--regex"), "{err}");
    }
}
