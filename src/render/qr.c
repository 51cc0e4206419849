/* qr.c: a QR code as SVG, from libqrencode. */
#include "render/qr.h"

#include <qrencode.h>

#include "render/html.h"

int qr_svg(struct buf *b, const char *text)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    int w, quiet = 4;

    if (!q)
        return GZ_EINVAL;
    w = q->width;
    HTML_LIT(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
    html_int(b, w + 2 * quiet);
    HTML_LIT(b, " ");
    html_int(b, w + 2 * quiet);
    HTML_LIT(b, "\" shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"100%\" "
                "height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w; x++) {
            if (q->data[y * w + x] & 1) {
                HTML_LIT(b, "M");
                html_int(b, x + quiet);
                HTML_LIT(b, " ");
                html_int(b, y + quiet);
                HTML_LIT(b, "h1v1h-1z");
            }
        }
    }
    HTML_LIT(b, "\"/></svg>\n");
    QRcode_free(q);
    return GZ_OK;
}
