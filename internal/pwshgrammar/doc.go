// Package pwshgrammar is test support: it parses PowerShell scripts with the tree-sitter
// PowerShell grammar (the npm package tree-sitter-powershell, run by web-tree-sitter under
// Node.js) so that tests can prove a script exoform generates is valid PowerShell and list the
// commands it would run, with their parameter names.
//
// exoform writes scripts that an administrator runs against Microsoft 365. A value that breaks out
// of its string literal turns data into code, and no PowerShell is available where the tests run,
// so a real grammar is the closest check that the script means what the generator intended: a test
// asserts that there are no syntax errors and that the command list is exactly the expected one,
// which catches an injected `; Remove-Item …` as an extra command.
//
// What it must never do:
//   - run a script, or any part of one: it only reads and parses the files it is given;
//   - be imported by the exoform binary: only tests (in this and other packages) use it. It pulls
//     in package testing, shells out to node and npm, and downloads npm packages, none of which
//     belongs in the tool an administrator runs. TestNotInBinary checks the commands under cmd/.
//
// The npm packages are pinned by package-lock.json and installed on first use with `npm ci` into
// the user's cache directory (os.UserCacheDir()/exoform/pwshgrammar/<lock hash>), never into the
// repository, so every test process after the first reuses them. Without node or npm the tests
// that use this package skip, unless EXOFORM_REQUIRE_PWSH_GRAMMAR=1 (set by CI) makes that a
// failure.
//
// The grammar is close to PowerShell but not identical. Known differences that matter for
// injection checks (see the tests for the cases):
//   - PowerShell treats the typographic single quotes U+2018–U+201B as single-quote characters
//     (they open, close and, doubled, escape a verbatim string); the grammar knows only the ASCII
//     apostrophe. A smart quote inside '…' can therefore end the string for PowerShell while the
//     grammar still sees one string, and a command smuggled after it is not listed. Generators must
//     double all four of them, as they double the apostrophe; a parse here does not prove that.
//   - Likewise the grammar knows only the ASCII double quote, not U+201C–U+201E, and not the
//     en dash, em dash and horizontal bar (U+2013–U+2015) that PowerShell accepts in place of the
//     dash of a parameter name: `–Force` is listed as an argument, not a parameter.
//   - .NET method calls (`[IO.File]::Delete(…)`) are expressions, not commands, and are not listed.
package pwshgrammar
