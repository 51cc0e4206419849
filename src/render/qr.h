/* qr.h: QR codes for the WeChat share page. */
#ifndef GZ_RENDER_QR_H
#define GZ_RENDER_QR_H

#include "core/buf.h"

/* Append an SVG document encoding text (error correction M, 4-module quiet zone).
 * Returns GZ_OK, or GZ_EINVAL when the text cannot be encoded (too long). */
int qr_svg(struct buf *b, const char *text);

#endif
