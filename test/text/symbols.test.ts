import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SymbolTable, UnknownSymbolError, GLOBAL_SYMBOLS, arpabetToIpa, ipaToArpabet } from '../../src/text/symbols.js';
import { phonemize, sentenceSymbols } from '../../src/text/phonemize.js';

test('symbol table JSON round trip keeps ids', () => {
  const t = SymbolTable.default();
  const again = SymbolTable.fromJSON(JSON.parse(JSON.stringify(t)));
  assert.deepEqual(again.symbols, t.symbols);
  const ids = t.encode(['HH', 'AH0', 'L', 'OW1', 'zh:n', 'zh:i3', ',', '<sp2>']);
  assert.deepEqual(again.decode(ids), ['HH', 'AH0', 'L', 'OW1', 'zh:n', 'zh:i3', ',', '<sp2>']);
  assert.equal(t.id('<pad>'), 0);
});

test('growth compatibility: an old table keeps its ids, new symbols are errors or <unk>', () => {
  const old = new SymbolTable(GLOBAL_SYMBOLS.slice(0, 60));
  const stored = JSON.stringify(old);
  const grown = SymbolTable.default().extend(['NEW1', 'NEW2']);
  assert.ok(SymbolTable.fromJSON(JSON.parse(stored)).isPrefixOf(grown));
  assert.equal(grown.id('NEW1'), SymbolTable.default().size);
  const reloaded = SymbolTable.fromJSON(JSON.parse(stored));
  const late = GLOBAL_SYMBOLS[100]!;
  assert.throws(() => reloaded.id(late), UnknownSymbolError);
  assert.equal(reloaded.id(late, { unknown: 'unk' }), reloaded.id('<unk>'));
  assert.throws(() => SymbolTable.fromJSON({ symbols: [] }), /format/);
  assert.throws(() => new SymbolTable(['a', 'a']), /duplicate/);
});

test('the global table covers everything phonemize emits, English and Mandarin without collisions', () => {
  const t = SymbolTable.default();
  const text = 'Hello, world! Is it 3:45 pm? 你好，哪儿一个不是银行。';
  for (const s of phonemize(text).sentences) t.encode(sentenceSymbols(s));
  const lower = t.symbols.map((s) => s.toLowerCase());
  assert.equal(new Set(lower).size, lower.length, 'no case-insensitive collisions');
});

test('IPA conversion', () => {
  assert.equal(arpabetToIpa('AH0'), 'ə');
  assert.equal(arpabetToIpa('OW1'), 'ˈoʊ');
  assert.deepEqual(ipaToArpabet('həˈloʊ'), ['HH', 'AH0', 'L', 'OW1']);
  assert.throws(() => ipaToArpabet('h€'), /position 1/);
  const s = phonemize('Hello', { ipa: true }).sentences[0]!;
  assert.deepEqual(s.tokens.map((x) => x.ipa), ['h', 'ə', 'l', 'ˈoʊ']);
});
