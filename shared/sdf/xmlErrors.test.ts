import { describe, expect, it } from 'vitest';
import { checkSystem } from './check';
import { kernelConfigFromLabel } from './kernelConfig';
import { parseXml, XmlSyntaxError } from './xml';

const failure = (src: string) => {
  try {
    parseXml(src);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return { message: e.message, line: e.line, column: e.column };
    throw e;
  }
  return undefined;
};

// Each text is what roxmltree 0.19 (Microkit 2.3.0's XML parser) prints for the input, traced through its tokenizer:
// the variant it raises, in the order it checks, at the place it computes.
describe("well-formedness errors in roxmltree's words", () => {
  const cases: [string, string, string][] = [
    ['a cpp template read as XML', '<?xml version="1.0"?>\n<!-- c -->\n#include "ram.h"\n<system/>', 'unknown token at 3:1'],
    ['a comma between attributes', '<system><map mr="x", vaddr="1"/></system>', "expected a whitespace not ',' at 1:20"],
    ['attributes without a space', '<system><map mr="x"vaddr="1"/></system>', "expected a whitespace not 'v' at 1:20"],
    ['a wrong closing tag', '<system>\n  <protection_domain name="a">\n</system>', "expected 'protection_domain' tag, not 'system' at 3:1"],
    ['an unquoted value', '<system><pd name=a/></system>', "expected a quote not 'a' at 1:18"],
    ['a < in a value', '<system><pd name="a<b"/></system>', "expected '\"' not '<' at 1:20"],
    ['an undeclared prefix', '<system><xi:include href="x"/></system>', "an unknown namespace prefix 'xi' at 1:10"],
    ['an undeclared attribute prefix', '<system><pd q:a="1"/></system>', "an unknown namespace prefix 'q' at 1:13"],
    ['a duplicate attribute', '<system><pd a="1" a="2"/></system>', "attribute 'a' at 1:19 is already defined"],
    ['a duplicate namespace', '<system xmlns:a="u" xmlns:a="v"/>', "namespace 'a' at 1:21 is already defined"],
    ['an unknown entity', '<system><pd a="&foo;"/></system>', "unknown entity reference 'foo' at 1:16"],
    ['a bare ampersand', '<system>a & b</system>', 'malformed entity reference at 1:11'],
    ['-- in a comment', '<system><!-- a -- b --></system>', "comment at 1:9 contains '--'"],
    ['an unterminated comment', '<system><!-- a', "expected '-->' at 1:15"],
    ['an unclosed root', '<system>', 'the root node was opened but never closed'],
    ['a start tag cut off', '<system', 'the document does not have a root node'],
    ['spaces, then the end', '<system   ', 'unexpected end of stream'],
    ['no element at all', '<!-- only a comment -->', 'the document does not have a root node'],
    ['a second root', '<system/><x/>', 'unknown token at 1:10'],
    ['a declaration after a space', ' <?xml version="1.0"?><system/>', 'unexpected XML declaration at 1:2'],
    ['a declaration without version', '<?xml encoding="UTF-8"?><system/>', "expected 'version' at 1:7"],
    ['a DTD', '<!DOCTYPE system><system/>', 'XML with DTD detected'],
    [']]> in text', '<system>]]></system>', "']]>' at 1:12 is not allowed inside a character data"],
    ['a control character', '<system>\u0001</system>', "a non-XML character '\\u{1}' found at 1:9"],
    ['a bad name', '<system><1pd/></system>', 'invalid name token at 1:10'],
    ['two colons', '<system><a:b:c/></system>', 'invalid name token at 1:10'],
    ['the xmlns prefix on an element', '<xmlns:a/>', "the 'xmlns' prefix is used at 1:2, but it must not be"],
    ['<! that is no comment', '<system><!ELEMENT x></system>', 'unknown token at 1:9'],
  ];
  for (const [what, src, text] of cases) {
    it(what, () => expect(failure(src)?.message).toBe(text));
  }

  it('accepts what roxmltree accepts: a PI named xml-something, a declared prefix, character references', () => {
    expect(failure('<?xml="1.0" encoding="UTF-8"?>\n<system/>')).toBeUndefined();
    expect(failure('<system xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="x"/></system>')).toBeUndefined();
    expect(parseXml('<system a="&#x41;&#66;&amp;"/>').root.attrs[0]!.value).toBe('AB&');
  });

  it('the error place is where roxmltree points, or the element concerned when roxmltree prints none', () => {
    expect(failure('<system>\n  <pd name="a"')).toMatchObject({ message: 'the root node was opened but never closed', line: 2, column: 3 });
    expect(failure('<system>\n <pd a="1"\n    a="2"/></system>')).toMatchObject({ line: 3, column: 5 });
  });

  it('the checker prints them after "Could not parse" with the file, as the tool does', () => {
    const r = checkSystem('<system>\n<protection_domain name="a", priority="1"/>\n</system>', 'vmm.system', kernelConfigFromLabel('aarch64 EL2 hyp, PA40, uniprocessor'));
    expect(r.diagnostics[0]).toMatchObject({ rule: 'xml', line: 2, column: 28, message: "Could not parse 'vmm.system': expected a whitespace not ',' at 2:28" });
  });
});
