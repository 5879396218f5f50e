import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { PDFDocument, PDFName, type PDFNumber, PDFRawStream } from 'pdf-lib';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

/**
 * A real barcode reader for tests: zxing-wasm (the ZXing C++ decoder), its wasm loaded from node_modules (by default
 * it would fetch it from a CDN). SVG labels are rasterised with resvg first; PDF labels give up their embedded images.
 */
const require = createRequire(import.meta.url);
let ready: Promise<void> | undefined;
const prepare = () => {
  ready ??= (async () => {
    prepareZXingModule({ overrides: { wasmBinary: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')) }, fireImmediately: true });
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
  })();
  return ready;
};

/** What a scanner would send: the AIM symbology identifier, then the data with FNC1 as GS (ASCII 29). */
export type Decoded = { format: string; scannerData: string };

/** Every symbol zxing finds in a PNG, top to bottom. */
export async function decodePng(png: Uint8Array): Promise<Decoded[]> {
  await prepare();
  const found = await readBarcodes(png, { formats: ['Code128', 'DataMatrix', 'QRCode'], textMode: 'Plain', maxNumberOfSymbols: 8, tryHarder: true });
  return found
    .filter((r) => r.isValid)
    .sort((a, b) => a.position.topLeft.y - b.position.topLeft.y)
    .map((r) => ({ format: r.format, scannerData: `${r.symbologyIdentifier}${r.text}` }));
}

/** Rasterise an SVG at its own size on white, then decode it. */
export async function decodeSvg(svg: string): Promise<Decoded[]> {
  await prepare();
  const png = new Resvg(svg, { background: 'white', font: { loadSystemFonts: false } }).render().asPng();
  return decodePng(png);
}

/** The image XObjects of a PDF (pdf-lib stores an embedded PNG as Flate-compressed 8-bit RGB), re-encoded as PNGs. */
export async function pdfImages(pdf: Uint8Array): Promise<Buffer[]> {
  const doc = await PDFDocument.load(pdf);
  const out: Buffer[] = [];
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFRawStream) || obj.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) continue;
    const cs = obj.dict.get(PDFName.of('ColorSpace'));
    if (cs !== PDFName.of('DeviceRGB')) continue; // the alpha mask (DeviceGray) goes with its image
    const num = (k: string) => (obj.dict.get(PDFName.of(k)) as PDFNumber).asNumber();
    const [width, height] = [num('Width'), num('Height')];
    const rgbBytes = inflateSync(obj.contents);
    const png = new PNG({ width, height });
    for (let i = 0; i < width * height; i++) {
      png.data[i * 4] = rgbBytes[i * 3] ?? 0;
      png.data[i * 4 + 1] = rgbBytes[i * 3 + 1] ?? 0;
      png.data[i * 4 + 2] = rgbBytes[i * 3 + 2] ?? 0;
      png.data[i * 4 + 3] = 255;
    }
    // a quiet zone around it, as on the page
    const framed = new PNG({ width: width + 80, height: height + 80 });
    framed.data.fill(255);
    PNG.bitblt(png, framed, 0, 0, width, height, 40, 40);
    out.push(PNG.sync.write(framed));
  }
  return out;
}

/** Decode each image of a PDF label, in the order they were drawn (top to bottom). */
export async function decodePdf(pdf: Uint8Array): Promise<Decoded[]> {
  const all: Decoded[] = [];
  for (const img of await pdfImages(pdf)) all.push(...(await decodePng(img)));
  return all;
}

/**
 * The ZPL field data of each barcode command, turned back into what a scanner sends for that symbol: ^BC's `>8` and
 * ^BX's `#1` are FNC1 (GS after the first), `><` is `>`; ^BQ's `QA,` mode prefix is dropped.
 */
export function zplSymbols(zpl: string): Decoded[] {
  const out: Decoded[] = [];
  const re = /\^(BC|BX|BQ)[^^]*\^FD([^^]*)\^FS/g;
  for (const m of zpl.matchAll(re)) {
    const [, cmd, data = ''] = m;
    if (cmd === 'BQ') out.push({ format: 'QRCode', scannerData: `]Q1${data.replace(/^QA,/, '')}` });
    else if (cmd === 'BC') {
      const body = data.replace(/^>:/, '').replace(/^>8/, '').replace(/>8/g, '\u001d').replace(/></g, '>');
      out.push({ format: 'Code128', scannerData: `]C1${body}` });
    } else out.push({ format: 'DataMatrix', scannerData: `]d2${data.replace(/^#1/, '').replace(/#1/g, '\u001d')}` });
  }
  return out;
}
