use super::*;

#[test]
fn a_word_is_plural_unless_there_is_one() {
    assert_eq!(plural(1, "file"), "file");
    assert_eq!(plural(0, "file"), "files");
    assert_eq!(plural(2, "file"), "files");
}
