
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'mmt' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'mmt'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'mmt' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Successive reads from a file pointer, as Python''s m.read(SIZE)')
            [CompletionResult]::new('slice', 'slice', [CompletionResultType]::ParameterValue, 'Bytes by Python slice: START:END[:STEP], START+LEN or INDEX')
            [CompletionResult]::new('find', 'find', [CompletionResultType]::ParameterValue, 'Byte offsets of NEEDLE, as m.find / m.rfind / bytes.count')
            [CompletionResult]::new('replace', 'replace', [CompletionResultType]::ParameterValue, 'Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite')
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data')
            [CompletionResult]::new('grep', 'grep', [CompletionResultType]::ParameterValue, 'A bytes regular expression over the whole file, as Python''s re with a bytes pattern')
            [CompletionResult]::new('undo', 'undo', [CompletionResultType]::ParameterValue, 'Revert the last run that touched a file under this directory, or run ID; --list shows every run and whether it can still be undone')
            [CompletionResult]::new('recover', 'recover', [CompletionResultType]::ParameterValue, 'Roll back every interrupted run of this user (a command does this first for the runs that touched its files)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the completion script for a shell')
            break
        }
        'mmt;read' {
            [CompletionResult]::new('--seek', '--seek', [CompletionResultType]::ParameterName, 'Where the file pointer starts (negative: from the end)')
            [CompletionResult]::new('--lines', '--lines', [CompletionResultType]::ParameterName, 'N successive readline() records instead of sized reads')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: raw]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mmt;slice' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: raw]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mmt;find' {
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Search from this offset (negative: from the end)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Search up to this offset (negative: from the end)')
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, one per line (- for standard input)')
            [CompletionResult]::new('--files0-from', '--files0-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Walk no deeper than N directories below each PATH')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every non-overlapping occurrence, in order')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print the number of occurrences')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'The last occurrence, as m.rfind')
            [CompletionResult]::new('--overlapping', '--overlapping', [CompletionResultType]::ParameterName, 'With --all or --count, occurrences may overlap')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef')
            [CompletionResult]::new('--escapes', '--escapes', [CompletionResultType]::ParameterName, 'Byte strings interpret \n \r \t \0 \\ \xNN')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Walk hidden files and directories too')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Walk what .gitignore, .ignore and .git/info/exclude would leave out')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--with-filename', '--with-filename', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--no-filename', '--no-filename', [CompletionResultType]::ParameterName, 'Never start a record with PATH:')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mmt;replace' {
            [CompletionResult]::new('--max', '--max', [CompletionResultType]::ParameterName, 'Replace the first N occurrences only (negative: no limit)')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Write nothing (exit 2) unless there are exactly N replacements in all')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'Keep the original as FILE+SUFFIX first (a suffix such as .bak, not a path)')
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, one per line (- for standard input)')
            [CompletionResult]::new('--files0-from', '--files0-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Walk no deeper than N directories below each PATH')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--regex', '--regex', [CompletionResultType]::ParameterName, 'OLD is a regular expression (the dialect and flags of grep)')
            [CompletionResult]::new('--binary', '--binary', [CompletionResultType]::ParameterName, 'Patch binary files met while walking a directory too (named files always are)')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef')
            [CompletionResult]::new('--escapes', '--escapes', [CompletionResultType]::ParameterName, 'Byte strings interpret \n \r \t \0 \\ \xNN')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)')
            [CompletionResult]::new('--ignore-case', '--ignore-case', [CompletionResultType]::ParameterName, 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)')
            [CompletionResult]::new('--dot-all', '--dot-all', [CompletionResultType]::ParameterName, '. matches a newline too (DOTALL)')
            [CompletionResult]::new('--multi-line', '--multi-line', [CompletionResultType]::ParameterName, '^ and $ match at line boundaries (MULTILINE)')
            [CompletionResult]::new('--extended', '--extended', [CompletionResultType]::ParameterName, 'Whitespace and # comments in the pattern are ignored (VERBOSE)')
            [CompletionResult]::new('--unicode', '--unicode', [CompletionResultType]::ParameterName, 'UTF-8-aware classes and case folding instead of bytes semantics')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Walk hidden files and directories too')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Walk what .gitignore, .ignore and .git/info/exclude would leave out')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--with-filename', '--with-filename', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--no-filename', '--no-filename', [CompletionResultType]::ParameterName, 'Never start a record with PATH:')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mmt;write' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--hex', '--hex', [CompletionResultType]::ParameterName, 'Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef')
            [CompletionResult]::new('--escapes', '--escapes', [CompletionResultType]::ParameterName, 'Byte strings interpret \n \r \t \0 \\ \xNN')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mmt;grep' {
            [CompletionResult]::new('--group', '--group', [CompletionResultType]::ParameterName, 'Print capture group G (index or name) instead of the whole match')
            [CompletionResult]::new('--max-count', '--max-count', [CompletionResultType]::ParameterName, 'Stop after N matches (negative: no limit)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format [default: raw]')
            [CompletionResult]::new('--files-from', '--files-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, one per line (- for standard input)')
            [CompletionResult]::new('--files0-from', '--files0-from', [CompletionResultType]::ParameterName, 'Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Walk no deeper than N directories below each PATH')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--glob', '--glob', [CompletionResultType]::ParameterName, 'Walk only files that match GLOB (!GLOB: leave them out); repeatable')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)')
            [CompletionResult]::new('--ignore-case', '--ignore-case', [CompletionResultType]::ParameterName, 'Case-insensitive matching (IGNORECASE; ASCII unless --unicode)')
            [CompletionResult]::new('--dot-all', '--dot-all', [CompletionResultType]::ParameterName, '. matches a newline too (DOTALL)')
            [CompletionResult]::new('--multi-line', '--multi-line', [CompletionResultType]::ParameterName, '^ and $ match at line boundaries (MULTILINE)')
            [CompletionResult]::new('--extended', '--extended', [CompletionResultType]::ParameterName, 'Whitespace and # comments in the pattern are ignored (VERBOSE)')
            [CompletionResult]::new('--unicode', '--unicode', [CompletionResultType]::ParameterName, 'UTF-8-aware classes and case folding instead of bytes semantics')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Print the number of matches')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Put OFFSET: before each record')
            [CompletionResult]::new('--byte-offset', '--byte-offset', [CompletionResultType]::ParameterName, 'Put OFFSET: before each record')
            [CompletionResult]::new('--fold', '--fold', [CompletionResultType]::ParameterName, 'Print each newline inside a record as a space')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Walk hidden files and directories too')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Walk what .gitignore, .ignore and .git/info/exclude would leave out')
            [CompletionResult]::new('-L', '-L ', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Follow symbolic links while walking')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--with-filename', '--with-filename', [CompletionResultType]::ParameterName, 'Start every record with PATH: even for one file')
            [CompletionResult]::new('--no-filename', '--no-filename', [CompletionResultType]::ParameterName, 'Never start a record with PATH:')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'mmt;undo' {
            [CompletionResult]::new('--forget', '--forget', [CompletionResultType]::ParameterName, 'Drop the undo data of run ID: it can no longer be undone')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'Show every run kept, newest first: its ID, files, the disk space its undo data holds, and whether it can still be undone (and why not)')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mmt;recover' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'mmt;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour diffs and highlights')
            [CompletionResult]::new('-j', '-j', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads for many files, the pieces of one large file and --copy previews [default: the number of CPUs]; the output is the same for every N')
            [CompletionResult]::new('--copy', '--copy', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Dry run: map the file copy-on-write, change it in memory only and print a preview')
            [CompletionResult]::new('--no-mmap', '--no-mmap', [CompletionResultType]::ParameterName, 'Read the file into memory instead of mapping it (writes go through ordinary I/O)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Machine output: JSON Lines, one object per line')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on standard output and no summaries; errors still go to standard error (a filter, `replace -`, still writes its data)')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Patch in place without the crash journal: this run cannot be rolled back or undone')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
