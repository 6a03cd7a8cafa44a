// Parses the PowerShell files named as arguments with tree-sitter-powershell and prints one JSON
// array to stdout, one element per file, in argument order:
//
//   {"path": "...", "errors": [{"line", "column", "text"}], "commands": [{"name", "line", "parameters"}]}
//
// Lines and columns are 1-based; columns count Unicode code points, so they match what an editor
// shows and what Go's utf8.RuneCountInString gives. The script only reads and parses: it never runs
// anything it is given. pwshgrammar.go copies it beside the node_modules that `npm ci` installed
// from package-lock.json, because bare imports resolve from this file's location.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import v8 from 'node:v8';

// V8 compiles WebAssembly twice: quickly (Liftoff) and then optimized (TurboFan) in the
// background. For the grammar's 1 MB parse tables the optimizing pass costs about 4 s of CPU, and
// node waits for it before exiting, though parsing a few scripts is over in milliseconds. Liftoff
// alone is ample here. The flag must be set before the wasm is compiled, hence the dynamic import.
v8.setFlagsFromString('--liftoff-only');
const { Language, Parser } = await import('web-tree-sitter');

// The grammar's wasm ships inside its npm package; resolve it like a module so the script works
// from whatever directory node is started in.
const require = createRequire(import.meta.url);
const wasm = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');

// An ERROR node can cover the rest of the file; its first line, shortened, is enough to find it.
const maxErrorText = 80;

await Parser.init();
const parser = new Parser();
parser.setLanguage(await Language.load(wasm));

const results = [];
for (const path of process.argv.slice(2)) {
  let source = readFileSync(path, 'utf8');
  // Windows PowerShell 5.1 needs a BOM to read a UTF-8 script as UTF-8, so generated scripts may
  // start with one. It is an encoding mark, not script text: dropping it keeps line-1 columns right.
  if (source.startsWith('\uFEFF')) source = source.slice(1);
  const tree = parser.parse(source);
  try {
    results.push({ path, ...inspect(tree.rootNode, source) });
  } finally {
    tree.delete();
  }
}
parser.delete();
process.stdout.write(JSON.stringify(results) + '\n');

function inspect(root, source) {
  const lineStarts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  // Node indices are UTF-16 code units (JS string indices); spreading a string counts code points.
  const column = (node) =>
    [...source.slice(lineStarts[node.startPosition.row], node.startIndex)].length + 1;

  const errors = [];
  const commands = [];
  // Iterative pre-order walk: every node, named or not, in document order. A cursor avoids both
  // recursion depth (each expression nests a dozen levels) and allocating child arrays.
  const cursor = root.walk();
  for (;;) {
    const node = cursor.currentNode;
    if (node.isMissing) {
      errors.push({ line: node.startPosition.row + 1, column: column(node), text: `missing ${node.type}` });
    } else if (node.isError) {
      errors.push({ line: node.startPosition.row + 1, column: column(node), text: errorText(node.text) });
    } else if (node.type === 'command') {
      commands.push(command(node));
    }
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return { errors, commands };
      }
    }
  }
}

function errorText(text) {
  // Zero-width or blank ERROR nodes (a stray line break where a string should have closed) would
  // otherwise show as an empty text.
  if (text === '') return 'unexpected end of input';
  if (text.trim() === '') return /\n/.test(text) ? 'unexpected line break' : 'unexpected whitespace';
  const firstLine = text.split(/\r?\n/, 1)[0];
  const chars = [...firstLine];
  return chars.length > maxErrorText ? chars.slice(0, maxErrorText).join('') + '…' : firstLine;
}

// command: optional command_invokation_operator (& or .), the command_name field, then optional
// command_elements. The field holds either a command_name (Get-Thing, ./x.ps1) or, after an
// operator, a command_name_expr wrapping a name, a path built from a variable ($x, $dir\x.ps1), or
// an arbitrary expression (a script block, a string, a member access).
function command(node) {
  const nameNode = node.childForFieldName('command_name');
  const operator = node.children.find((c) => c.type === 'command_invokation_operator');
  let name;
  if (nameNode.type === 'command_name') {
    name = nameNode.text;
  } else {
    const inner = nameNode.namedChild(0);
    if (inner && (inner.type === 'command_name' || inner.type === 'path_command_name')) {
      name = inner.text;
    } else {
      // Nothing name-like to report (`& { ... }`, `& 'C:\x.exe'`): the operator marks the
      // invocation, so a test still sees that something runs here.
      name = operator ? operator.text : nameNode.text;
    }
  }
  const parameters = [];
  const elements = node.childForFieldName('command_elements');
  if (elements) {
    // Only direct children: a parameter of a command nested in a script-block argument belongs to
    // that command, which the walk reports on its own.
    for (const child of elements.namedChildren) {
      if (child.type === 'command_parameter') parameters.push(child.text.replace(/^-/, '').replace(/:$/, ''));
    }
  }
  return { name, line: node.startPosition.row + 1, parameters };
}
