//! Flags that users of rg, sd and fastmod type out of habit, and mmt does not take: each is
//! answered with mmt's way, in place of clap's tip to write `-- -p` (which would make the flag
//! a PATH or a pattern, the last thing that was meant).

/// The commands a row is about: a flag another command of mmt's takes is not answered there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Any,
    Only(&'static [&'static str]),
}

/// One habit: the spellings typed, where, and mmt's answer.
struct Habit {
    typed: &'static [&'static str],
    on: Where,
    answer: &'static str,
}

/// The table (the README's side-by-side table lists the same rows).
const HABITS: &[Habit] = &[
    Habit {
        typed: &["-p", "--preview"],
        on: Where::Only(&["replace"]),
        answer: "sd's preview is mmt's --dry-run (a diff, nothing written) or --copy (the \
                 change made on a private copy): mmt --dry-run replace PATH OLD NEW",
    },
    Habit {
        typed: &["--accept-all"],
        on: Where::Any,
        answer: "fastmod's --accept-all is mmt's way already: replace writes without asking \
                 (--interactive asks about each change)",
    },
    Habit {
        typed: &["-n", "--max-replacements"],
        on: Where::Only(&["replace"]),
        answer: "sd's --max-replacements is mmt's --max N: mmt replace PATH OLD NEW --max N",
    },
    Habit {
        typed: &["-U", "--multiline"],
        on: Where::Any,
        answer: "a match already spans lines in mmt: a pattern sees the whole file, as \
                 rg -U does; mmt's --multi-line is Python's re.M (^ and $ at each line), a \
                 different thing",
    },
    Habit {
        typed: &["-P", "--pcre2"],
        on: Where::Only(&["find"]),
        answer: "find looks for literal bytes; a pattern is grep's: mmt grep PATH PATTERN \
                 (the engine that backtracks is chosen when the pattern needs it; -P asks \
                 for it)",
    },
    Habit {
        typed: &["-e", "--regexp"],
        on: Where::Only(&["find"]),
        answer: "find takes NEEDLE after the paths (mmt find PATH... NEEDLE); grep's -e \
                 takes a pattern by flag: mmt grep -F -e NEEDLE PATH...",
    },
    Habit {
        typed: &["-F", "--fixed-strings", "-s", "--string-mode"],
        on: Where::Only(&["replace"]),
        answer: "OLD is literal bytes in mmt replace unless --regex makes it a pattern; \
                 drop the flag",
    },
];

/// mmt's answer to `flag`, typed on `command`, when it is a habit of the table.
pub fn answer(flag: &str, command: Option<&str>) -> Option<&'static str> {
    let flag = flag.split('=').next().unwrap_or(flag);
    HABITS
        .iter()
        .find(|habit| {
            let here = match habit.on {
                Where::Any => true,
                Where::Only(commands) => command.is_some_and(|c| commands.contains(&c)),
            };
            here && habit.typed.contains(&flag)
        })
        .map(|habit| habit.answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_habit_is_answered_only_where_it_means_something_else() {
        assert!(answer("-n", Some("replace")).unwrap().contains("--max"));
        assert_eq!(answer("-n", Some("grep")), None);
        assert!(answer("--preview=x", Some("replace")).is_some());
        assert!(answer("-U", None).is_some());
        assert_eq!(answer("--nothing", Some("replace")), None);
    }
}
