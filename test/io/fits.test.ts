import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { card, readFits, writeFits, type FitsTable } from '../../src/io/fits.js';
import { pythonWith, skipNote } from '../helpers/python.js';

const ASTROPY = pythonWith('astropy');

describe('FITS cards', () => {
  it('are 80 characters in the fixed format astropy writes (values as in legacy_sacc_data.fits)', () => {
    // Byte-for-byte the value fields of cards in the DES Y1 file written by astropy (comments aside).
    expect(card('NAXIS1', 16)).toBe(`NAXIS1  = ${'16'.padStart(20)}`.padEnd(80));
    expect(card('SACCNAME', 'src0')).toBe(`SACCNAME= 'src0    '`.padEnd(80));
    expect(card('SACCTYPE', 'covariance')).toBe(`SACCTYPE= 'covariance'`.padEnd(80));
    expect(card('EXTEND', true)).toBe(`EXTEND  = ${'T'.padStart(20)}`.padEnd(80));
    expect(card('OBJECT', "it's")).toBe(`OBJECT  = 'it''s   '`.padEnd(80));
    expect(card('X', 1.5e-7)).toBe(`X       = ${'1.5E-7'.padStart(20)}`.padEnd(80));
    expect(() => card('TOOLONGKEY', 1)).toThrow(/longer than 8/);
  });
});

describe('FITS binary tables and images', () => {
  const columns = [
    { name: 'flag', type: 'L' as const, repeat: 2, values: [true, false, false, true, true, true] },
    { name: 'byte', type: 'B' as const, repeat: 1, values: Float64Array.of(0, 7, 255) },
    { name: 'short', type: 'I' as const, repeat: 1, values: Float64Array.of(-32768, 0, 32767) },
    { name: 'int', type: 'J' as const, repeat: 1, values: Float64Array.of(-2147483648, 1, 2147483647) },
    { name: 'long', type: 'K' as const, repeat: 1, values: Float64Array.of(-(2 ** 53) + 1, 0, 2 ** 53 - 1) },
    { name: 'float', type: 'E' as const, repeat: 1, values: Float64Array.of(1.5, -0.25, 3e38) },
    { name: 'vec', type: 'D' as const, repeat: 3, dim: [3], values: Float64Array.of(1, 2, 3, Math.PI, -0, 1e-300, 5, 6, Number.MAX_VALUE) },
    { name: 'name', type: 'A' as const, repeat: 5, values: ['src0', '', 'lens4'] },
  ];
  const bytes = writeFits(
    { kind: 'image', keys: [['SACCFVER', 2]], shape: [], data: new Float64Array(0) },
    [
      { kind: 'bintable', keys: [['EXTNAME', 'T1'], ['NOTE', 'x']], nrows: 3, columns },
      { kind: 'image', keys: [['EXTNAME', 'IMG']], shape: [3, 2], data: Float64Array.of(1, 2, 3, 4, 5, 6) },
    ],
  );

  it('round-trip every TFORM type L B I J K E D A with repeats and TDIM exactly (E to float32)', () => {
    expect(bytes.length % 2880).toBe(0);
    const hdus = readFits(bytes, 'mem.fits');
    expect(hdus.length).toBe(3);
    expect(hdus[0].header.get('SACCFVER')).toBe(2);
    const t = hdus[1] as FitsTable;
    expect(t.kind).toBe('bintable');
    expect(t.header.get('EXTNAME')).toBe('T1');
    expect(t.header.get('NAXIS1')).toBe(2 + 1 + 2 + 4 + 8 + 4 + 24 + 5);
    for (const c of columns) {
      const got = t.columns.find((x) => x.name === c.name)!;
      expect(got.type).toBe(c.type);
      expect(got.repeat).toBe(c.repeat);
      const want = c.type === 'E' ? Array.from(c.values as Float64Array, Math.fround) : Array.from(c.values as ArrayLike<unknown>);
      expect(Array.from(got.values as ArrayLike<unknown>)).toEqual(want);
    }
    expect(t.columns.find((x) => x.name === 'vec')!.dim).toEqual([3]);
    const img = hdus[2];
    expect(img.kind).toBe('image');
    if (img.kind === 'image') {
      expect(img.shape).toEqual([3, 2]);
      expect(Array.from(img.data)).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('reads and writes gzip-compressed FITS (.fits.gz) to the same HDUs', () => {
    const gz = writeFits({ kind: 'image', keys: [], shape: [], data: new Float64Array(0) }, [{ kind: 'image', keys: [], shape: [2], data: Float64Array.of(1, 2) }], true);
    expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
    const hdus = readFits(gz, 'mem.fits.gz');
    expect(hdus[1].kind === 'image' && Array.from(hdus[1].data)).toEqual([1, 2]);
  });

  it.skipIf(ASTROPY === null)(`astropy reads our binary table and image with the same values${skipNote(ASTROPY, 'astropy')}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosmeta-fits-'));
    const path = join(dir, 't.fits');
    writeFileSync(path, bytes);
    const py = `import sys, json\nfrom astropy.io import fits\nf = fits.open(sys.argv[1])\nt = f[1].data\nprint(json.dumps({"long": [int(x) for x in t["long"]], "vec": t["vec"].tolist(), "name": list(t["name"]), "img": f[2].data.tolist()}))`;
    const r = spawnSync(ASTROPY as string, ['-c', py, path], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.long).toEqual([-(2 ** 53) + 1, 0, 2 ** 53 - 1]);
    expect(j.vec[1]).toEqual([Math.PI, -0, 1e-300]);
    expect(j.name).toEqual(['src0', '', 'lens4']);
    expect(j.img).toEqual([[1, 2, 3], [4, 5, 6]]);
  });
});

describe('FITS reader refuses bad files before allocating', () => {
  const des = readFileSync(join(__dirname, '..', 'reference', 'surveys', 'des-y1', 'legacy_sacc_data.fits'));

  it('a header claiming NAXIS2 = 10^12 rows', () => {
    const text = Buffer.from(des).toString('latin1');
    const at = text.indexOf(`NAXIS2  = ${'167'.padStart(20)}`);
    expect(at).toBeGreaterThan(0);
    const bad = Buffer.from(des);
    bad.write(`NAXIS2  = ${'1000000000000'.padStart(20)}`, at, 'latin1');
    expect(() => readFits(bad, 'big.fits')).toThrow(/^big\.fits: HDU 14 header \(NAXIS1=32 NAXIS2=1000000000000\) claims 32000000000000 bytes of data but only \d+ remain/);
  });

  it('a file that is not FITS, and one cut inside a header', () => {
    expect(() => readFits(Buffer.from('hello world, not fits at all'), 'x.fits')).toThrow(/^x\.fits: not a FITS file/);
    expect(() => readFits(des.subarray(0, 2880 + 100), 'cut.fits')).toThrow(/^cut\.fits: .*(truncated|END)/);
  });
});
