# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mmt_global_optspecs
    string join \n copy no-mmap json color= q/quiet no-journal j/threads= h/help V/version
end

function __fish_mmt_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mmt_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mmt_using_subcommand
    set -l cmd (__fish_mmt_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mmt -n "__fish_mmt_needs_command" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_needs_command" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_needs_command" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_needs_command" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_needs_command" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_needs_command" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_needs_command" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mmt -n "__fish_mmt_needs_command" -s V -l version -d 'Print version'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "read" -d 'Successive reads from a file pointer, as Python\'s m.read(SIZE)'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "slice" -d 'Bytes by Python slice: START:END[:STEP], START+LEN or INDEX'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "find" -d 'Byte offsets of NEEDLE, as m.find / m.rfind / bytes.count'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "replace" -d 'Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "write" -d 'Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "grep" -d 'A bytes regular expression over the whole file, as Python\'s re with a bytes pattern'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "undo" -d 'Revert the last run that touched a file under this directory, or run ID; --list shows every run and whether it can still be undone'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "recover" -d 'Roll back every interrupted run of this user (a command does this first for the runs that touched its files)'
complete -c mmt -n "__fish_mmt_needs_command" -f -a "completions" -d 'Print the completion script for a shell'
complete -c mmt -n "__fish_mmt_using_subcommand read" -l seek -d 'Where the file pointer starts (negative: from the end)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand read" -l lines -d 'N successive readline() records instead of sized reads' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand read" -l format -d 'Output format [default: raw]' -r -f -a "raw\t'The exact bytes, nothing added'
repr\t'One Python bytes literal per record, per line'
hex\t'An xxd-style dump with absolute file offsets'"
complete -c mmt -n "__fish_mmt_using_subcommand read" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand read" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand read" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand read" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand read" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand read" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand read" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l format -d 'Output format [default: raw]' -r -f -a "raw\t'The exact bytes, nothing added'
repr\t'One Python bytes literal per record, per line'
hex\t'An xxd-style dump with absolute file offsets'"
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand slice" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand slice" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l start -d 'Search from this offset (negative: from the end)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -l end -d 'Search up to this offset (negative: from the end)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -s A -l after-context -d 'Print N lines after each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand find" -s B -l before-context -d 'Print N lines before each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand find" -s C -l context -d 'Print N lines before and after each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand find" -l files-from -d 'Read the paths from LIST, one per line (- for standard input)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand find" -l files0-from -d 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand find" -l max-depth -d 'Walk no deeper than N directories below each PATH' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -s g -l glob -d 'Walk only files that match GLOB (!GLOB: leave them out); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -s t -l type -d 'Walk only files of TYPE, as rg has its types (--type-list shows them; all: any type); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -s T -l type-not -d 'Walk no files of TYPE; repeatable (the last of -t and -T about a file wins, as in rg)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -l type-add -d 'Define a file type, NAME:GLOB (or NAME:include:TYPE,...), as rg --type-add; repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand find" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand find" -l all -d 'Every non-overlapping occurrence, in order'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l count -d 'Print the number of occurrences'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l last -d 'The last occurrence, as m.rfind'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l overlapping -d 'With --all or --count, occurrences may overlap'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s w -l word-regexp -d 'An occurrence must have a word boundary on each side, as rg -w has it'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s l -l files-with-matches -d 'Print only the path of each file with a match, one per line (each file\'s search stops at its first match)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l files-without-match -d 'Print only the path of each file without a match, one per line'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s 0 -l null -d 'With -l or --files-without-match, end each path with a NUL byte instead of a newline'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l hex -d 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l escapes -d 'Byte strings interpret \\n \\r \\t \\0 \\\\ \\xNN'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s n -l line-number -d 'Print the lines that matches touch, each with its number, as rg -n (with -o, each match with the number of its line)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l whole-lines -d 'Print the whole lines each match touches, as grep and rg print them'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l column -d 'Put the column (1-based byte) of the first match after the line number (implies -n), as rg --column'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l vimgrep -d 'Print every match on a line of its own as PATH:LINE:COLUMN:LINE, for editors (rg --vimgrep)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l heading -d 'Print each file\'s name on a line of its own above its results [default on a terminal, over many files]'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l no-heading -d 'Put each file\'s name before each of its results, PATH:, even on a terminal'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l files -d 'Print the files a search would look at, and search nothing (rg --files)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l hidden -d 'Walk hidden files and directories too'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l no-ignore -d 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s L -l follow -d 'Follow symbolic links while walking'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l type-list -d 'Print every file type and its globs, and search nothing'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s H -l with-filename -d 'Start every record with PATH: even for one file'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l no-filename -d 'Never start a record with PATH:'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand find" -s h -l help -d 'Print help'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s e -l old -d 'OLD by flag (rg\'s -e): every positional is then a PATH, so that xargs and find -exec ... + can add them (give NEW with -r)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s r -l new -d 'NEW by flag (rg\'s -r, --replace), with -e' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l max -d 'Replace the first N occurrences only (negative: no limit)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l expect -d 'Write nothing (exit 2) unless there are exactly N replacements in all' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l backup -d 'Keep the original as FILE+SUFFIX first (a suffix such as .bak, not a path)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l engine -d 'Which regex engine runs the pattern: linear (the regex crate), backtrack (PCRE2, for look-around, backreferences, conditionals, atomic groups, possessive quantifiers), or auto: linear when it can [default: auto]' -r -f -a "auto\t''
linear\t''
backtrack\t''"
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l files-from -d 'Read the paths from LIST, one per line (- for standard input)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l files0-from -d 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l max-depth -d 'Walk no deeper than N directories below each PATH' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s g -l glob -d 'Walk only files that match GLOB (!GLOB: leave them out); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s t -l type -d 'Walk only files of TYPE, as rg has its types (--type-list shows them; all: any type); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s T -l type-not -d 'Walk no files of TYPE; repeatable (the last of -t and -T about a file wins, as in rg)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l type-add -d 'Define a file type, NAME:GLOB (or NAME:include:TYPE,...), as rg --type-add; repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s v -l verbose -d 'Name every file changed, not only the total of a run over many'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l regex -d 'OLD is a regular expression (the dialect and flags of grep)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s w -l word-regexp -d 'OLD must have a word boundary on each side, as rg -w has it (foo does not hit foobar)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l interactive -d 'Show each change and ask on the terminal (y/n/a/d/A/q, ? for help); the accepted changes are then written as one run, undone as one by mmt undo'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l binary -d 'Patch binary files met while walking a directory too (named files always are)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l hex -d 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l escapes -d 'Byte strings interpret \\n \\r \\t \\0 \\\\ \\xNN'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s i -l ignore-case -d 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l dot-all -d '. matches a newline too (DOTALL)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l multi-line -d '^ and $ match at line boundaries (MULTILINE)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l extended -d 'Whitespace and # comments in the pattern are ignored (VERBOSE)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l unicode -d 'UTF-8-aware classes and case folding instead of bytes semantics'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s P -l pcre2 -d 'The backtracking engine, as rg\'s -P names it (--engine backtrack)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l hidden -d 'Walk hidden files and directories too'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l no-ignore -d 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s L -l follow -d 'Follow symbolic links while walking'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l type-list -d 'Print every file type and its globs, and search nothing'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s H -l with-filename -d 'Start every record with PATH: even for one file'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l no-filename -d 'Never start a record with PATH:'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand replace" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand write" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand write" -l hex -d 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l escapes -d 'Byte strings interpret \\n \\r \\t \\0 \\\\ \\xNN'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand write" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand write" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand write" -s h -l help -d 'Print help'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s e -l regexp -d 'The pattern, by flag (repeatable: any of them); every positional is then a PATH, as with rg -e (for xargs: ... | xargs -0 mmt grep -e PATTERN)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l engine -d 'Which regex engine runs the pattern: linear (the regex crate), backtrack (PCRE2, for look-around, backreferences, conditionals, atomic groups, possessive quantifiers), or auto: linear when it can [default: auto]' -r -f -a "auto\t''
linear\t''
backtrack\t''"
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l group -d 'Print capture group G (index or name) instead of the whole match' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s A -l after-context -d 'Print N lines after each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s B -l before-context -d 'Print N lines before each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s C -l context -d 'Print N lines before and after each match too (implies --whole-lines)' -r
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s m -l max-count -d 'Stop after N matches (negative: no limit)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l format -d 'Output format [default: raw]' -r -f -a "raw\t'The exact bytes, nothing added'
repr\t'One Python bytes literal per record, per line'
hex\t'An xxd-style dump with absolute file offsets'"
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l files-from -d 'Read the paths from LIST, one per line (- for standard input)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l files0-from -d 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)' -r -F
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l max-depth -d 'Walk no deeper than N directories below each PATH' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s g -l glob -d 'Walk only files that match GLOB (!GLOB: leave them out); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s t -l type -d 'Walk only files of TYPE, as rg has its types (--type-list shows them; all: any type); repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s T -l type-not -d 'Walk no files of TYPE; repeatable (the last of -t and -T about a file wins, as in rg)' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l type-add -d 'Define a file type, NAME:GLOB (or NAME:include:TYPE,...), as rg --type-add; repeatable' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s i -l ignore-case -d 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l dot-all -d '. matches a newline too (DOTALL)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l multi-line -d '^ and $ match at line boundaries (MULTILINE)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l extended -d 'Whitespace and # comments in the pattern are ignored (VERBOSE)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l unicode -d 'UTF-8-aware classes and case folding instead of bytes semantics'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s P -l pcre2 -d 'The backtracking engine, as rg\'s -P names it (--engine backtrack)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s F -l fixed-strings -d 'PATTERN is literal bytes, not a regular expression (rg -F)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s S -l smart-case -d 'Case-insensitive unless PATTERN has an upper-case letter (rg -S)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l count -l count-matches -d 'Print the number of matches (as Python\'s count and rg --count-matches; rg -c counts lines: see -c)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s c -l count-lines -d 'Print the number of lines with a match, as rg -c counts them (with -v, without one)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s o -l only-matching -d 'Print each match (or --group) on its own, as rg -o: with -n, numbered by its line'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s v -l invert-match -d 'Print the lines without a match (rg -v)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s n -l line-number -d 'Print the lines that matches touch, each with its number, as rg -n (with -o, each match with the number of its line)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l whole-lines -d 'Print the whole lines each match touches, as grep and rg print them'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l column -d 'Put the column (1-based byte) of the first match after the line number (implies -n), as rg --column'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l vimgrep -d 'Print every match on a line of its own as PATH:LINE:COLUMN:LINE, for editors (rg --vimgrep)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l heading -d 'Print each file\'s name on a line of its own above its results [default on a terminal, over many files]'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l no-heading -d 'Put each file\'s name before each of its results, PATH:, even on a terminal'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s w -l word-regexp -d 'A match must have a word boundary on each side, as rg -w has it'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s l -l files-with-matches -d 'Print only the path of each file with a match, one per line (each file\'s search stops at its first match)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l files-without-match -d 'Print only the path of each file without a match, one per line'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s 0 -l null -d 'With -l or --files-without-match, end each path with a NUL byte instead of a newline'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s b -l byte-offset -d 'Put OFFSET: before each record (with lines, the offset of the line)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l fold -d 'Print each newline inside a record as a space'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l files -d 'Print the files a search would look at, and search nothing (rg --files)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l stats -d 'After the results, what was searched and found (rg --stats)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l hidden -d 'Walk hidden files and directories too'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l no-ignore -d 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s L -l follow -d 'Follow symbolic links while walking'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l type-list -d 'Print every file type and its globs, and search nothing'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s H -l with-filename -d 'Start every record with PATH: even for one file'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l no-filename -d 'Never start a record with PATH:'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand grep" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l forget -d 'Drop the undo data of run ID: it can no longer be undone' -r
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand undo" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l list -d 'Show every run kept, newest first: its ID, files, the disk space its undo data holds, and whether it can still be undone (and why not)'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -s v -l verbose -d 'Name every file restored, not only the total of a run over many; with --list, each run\'s files under it (and why it cannot be undone)'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand undo" -s h -l help -d 'Print help'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand recover" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand recover" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand recover" -s h -l help -d 'Print help'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -l color -d 'When to colour diffs and highlights' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mmt -n "__fish_mmt_using_subcommand completions" -s j -l threads -d 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N' -r -f
complete -c mmt -n "__fish_mmt_using_subcommand completions" -l copy -l dry-run -d 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -l no-mmap -d 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -l json -d 'Machine output: JSON Lines, one object per line'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -s q -l quiet -d 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -l no-journal -d 'Write without the crash journal: this run cannot be rolled back or undone, and a crash or a failure partway leaves the files written before it changed (each file whole: a rewrite is still atomic)'
complete -c mmt -n "__fish_mmt_using_subcommand completions" -s h -l help -d 'Print help'
