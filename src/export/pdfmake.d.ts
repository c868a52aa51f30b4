/**
 * The part of pdfmake 0.3 (server build) that csync uses. @types/pdfmake is not used: it references the DOM lib,
 * which clashes with Node's fetch/Buffer types across the project.
 */
declare module 'pdfmake' {
  export type Content = string | Record<string, unknown> | Content[];
  export interface TDocumentDefinitions {
    content: Content[];
    [key: string]: unknown;
  }
  interface CreatedPdf {
    getBuffer(): Promise<Buffer>;
  }
  interface PdfMake {
    setFonts(fonts: Record<string, { normal: string; bold: string; italics: string; bolditalics: string }>): void;
    setUrlAccessPolicy(callback: (url: string) => boolean): void;
    setLocalAccessPolicy(callback: (path: string) => boolean): void;
    createPdf(definition: TDocumentDefinitions): CreatedPdf;
    /** Files pdfmake reads from memory (fonts, by the name given in setFonts) before the local file system. */
    virtualfs: { existsSync(name: string): boolean; writeFileSync(name: string, content: Buffer): void };
  }
  const pdfmake: PdfMake;
  export default pdfmake;
}
