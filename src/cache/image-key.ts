/**
 * Vector-cache keys of images: by content (the encoded bytes, or the decoded RGBA of pixel sources), never by
 * URL, so one picture is embedded once whatever carried it. Text keys are `cache-key.ts`'s. Pure.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

async function sha256Hex(data: BufferSource): Promise<string> {
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

/**
 * Return the SHA-256 hex of an image's content: of its encoded bytes as given (never of its URL), or, for
 * decoded pixels (ImageBitmap, ImageData, canvases), of `rgba:<width>x<height>:<SHA-256 hex of the RGBA bytes>`.
 */
export async function imageDigest(
  bytes: ArrayBuffer | ArrayBufferView<ArrayBuffer>, size?: { width: number; height: number },
): Promise<string> {
  const hex = await sha256Hex(bytes);
  if (!size) return hex;
  const framed = new TextEncoder().encode(`rgba:${size.width}x${size.height}:${hex}`);
  return sha256Hex(framed);
}

/**
 * Return the key of one image input: SHA-256 of `<scope>\n["image",<tower>,<digest>]`, where `tower` names the
 * image tower and its dtype (`vision_model:q8`) and `digest` is `imageDigest` of its content, so the same
 * picture is embedded once whatever URL, data URI or Blob carried it.
 */
export async function imageCacheKey(scope: string, tower: string, digest: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${scope}\n${JSON.stringify(['image', tower, digest])}`);
  return sha256Hex(bytes);
}
