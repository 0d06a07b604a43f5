
use builtin;
use str;

set edit:completion:arg-completer[mmt] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'mmt'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'mmt'= {
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand read 'Successive reads from a file pointer, as Python''s m.read(SIZE)'
            cand slice 'Bytes by Python slice: START:END[:STEP], START+LEN or INDEX'
            cand find 'Byte offsets of NEEDLE, as m.find / m.rfind / bytes.count'
            cand replace 'Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite'
            cand write 'Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data'
            cand grep 'A bytes regular expression over the whole file, as Python''s re with a bytes pattern'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mmt;read'= {
            cand --seek 'Where the file pointer starts (negative: from the end)'
            cand --lines 'N successive readline() records instead of sized reads'
            cand --format 'Output format [default: raw]'
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mmt;slice'= {
            cand --format 'Output format [default: raw]'
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mmt;find'= {
            cand --start 'Search from this offset (negative: from the end)'
            cand --end 'Search up to this offset (negative: from the end)'
            cand --files-from 'Read the paths from LIST, one per line (- for standard input)'
            cand --files0-from 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)'
            cand --max-depth 'Walk no deeper than N directories below each PATH'
            cand -g 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --glob 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --all 'Every non-overlapping occurrence, in order'
            cand --count 'Print the number of occurrences'
            cand --last 'The last occurrence, as m.rfind'
            cand --overlapping 'With --all or --count, occurrences may overlap'
            cand --hex 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
            cand --escapes 'Byte strings interpret \n \r \t \0 \\ \xNN'
            cand --hidden 'Walk hidden files and directories too'
            cand --no-ignore 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
            cand -L 'Follow symbolic links while walking'
            cand --follow 'Follow symbolic links while walking'
            cand -H 'Start every record with PATH: even for one file'
            cand --with-filename 'Start every record with PATH: even for one file'
            cand --no-filename 'Never start a record with PATH:'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mmt;replace'= {
            cand --max 'Replace the first N occurrences only (negative: no limit)'
            cand --expect 'Write nothing (exit 2) unless there are exactly N replacements in all'
            cand --backup 'Keep the original as FILE+SUFFIX first (a suffix such as .bak, not a path)'
            cand --files-from 'Read the paths from LIST, one per line (- for standard input)'
            cand --files0-from 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)'
            cand --max-depth 'Walk no deeper than N directories below each PATH'
            cand -g 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --glob 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --regex 'OLD is a regular expression (the dialect and flags of grep)'
            cand --binary 'Patch binary files met while walking a directory too (named files always are)'
            cand --hex 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
            cand --escapes 'Byte strings interpret \n \r \t \0 \\ \xNN'
            cand -i 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
            cand --ignore-case 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
            cand --dot-all '. matches a newline too (DOTALL)'
            cand --multi-line '^ and $ match at line boundaries (MULTILINE)'
            cand --extended 'Whitespace and # comments in the pattern are ignored (VERBOSE)'
            cand --unicode 'UTF-8-aware classes and case folding instead of bytes semantics'
            cand --hidden 'Walk hidden files and directories too'
            cand --no-ignore 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
            cand -L 'Follow symbolic links while walking'
            cand --follow 'Follow symbolic links while walking'
            cand -H 'Start every record with PATH: even for one file'
            cand --with-filename 'Start every record with PATH: even for one file'
            cand --no-filename 'Never start a record with PATH:'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mmt;write'= {
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --hex 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef'
            cand --escapes 'Byte strings interpret \n \r \t \0 \\ \xNN'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mmt;grep'= {
            cand --group 'Print capture group G (index or name) instead of the whole match'
            cand --max-count 'Stop after N matches (negative: no limit)'
            cand --format 'Output format [default: raw]'
            cand --files-from 'Read the paths from LIST, one per line (- for standard input)'
            cand --files0-from 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)'
            cand --max-depth 'Walk no deeper than N directories below each PATH'
            cand -g 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --glob 'Walk only files that match GLOB (!GLOB: leave them out); repeatable'
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand -i 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
            cand --ignore-case 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)'
            cand --dot-all '. matches a newline too (DOTALL)'
            cand --multi-line '^ and $ match at line boundaries (MULTILINE)'
            cand --extended 'Whitespace and # comments in the pattern are ignored (VERBOSE)'
            cand --unicode 'UTF-8-aware classes and case folding instead of bytes semantics'
            cand --count 'Print the number of matches'
            cand -b 'Put OFFSET: before each record'
            cand --byte-offset 'Put OFFSET: before each record'
            cand --fold 'Print each newline inside a record as a space'
            cand --hidden 'Walk hidden files and directories too'
            cand --no-ignore 'Walk what .gitignore, .ignore and .git/info/exclude would leave out'
            cand -L 'Follow symbolic links while walking'
            cand --follow 'Follow symbolic links while walking'
            cand -H 'Start every record with PATH: even for one file'
            cand --with-filename 'Start every record with PATH: even for one file'
            cand --no-filename 'Never start a record with PATH:'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'mmt;completions'= {
            cand --color 'When to colour diffs and highlights'
            cand -j 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --threads 'Worker threads for many files [default: the number of CPUs]; the output is the same for every N'
            cand --copy 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --dry-run 'Dry run: map the file copy-on-write, change it in memory only and print a preview'
            cand --no-mmap 'Read the file into memory instead of mapping it (writes go through ordinary I/O)'
            cand --json 'Machine output: JSON Lines, one object per line'
            cand -q 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand --quiet 'Print nothing on standard output and no summaries; errors still go to standard error'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'mmt;help'= {
            cand read 'Successive reads from a file pointer, as Python''s m.read(SIZE)'
            cand slice 'Bytes by Python slice: START:END[:STEP], START+LEN or INDEX'
            cand find 'Byte offsets of NEEDLE, as m.find / m.rfind / bytes.count'
            cand replace 'Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite'
            cand write 'Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data'
            cand grep 'A bytes regular expression over the whole file, as Python''s re with a bytes pattern'
            cand completions 'Print the completion script for a shell'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'mmt;help;read'= {
        }
        &'mmt;help;slice'= {
        }
        &'mmt;help;find'= {
        }
        &'mmt;help;replace'= {
        }
        &'mmt;help;write'= {
        }
        &'mmt;help;grep'= {
        }
        &'mmt;help;completions'= {
        }
        &'mmt;help;help'= {
        }
    ]
    $completions[$command]
}
