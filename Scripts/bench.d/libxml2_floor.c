/* The floor of a libxml2-based reader: inflate the sheet parts with libzip and push them
 * through libxml2's SAX2 parser with empty callbacks. Scripts/bench prints its time next to
 * Anslag's, to show how much of a reader's time the XML library alone takes. */
#include <stdio.h>
#include <string.h>
#include <zip.h>
#include <libxml/parser.h>

static void start(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u, int nn, const xmlChar **ns,
                  int na, int nd, const xmlChar **a) {}
static void end(void *c, const xmlChar *l, const xmlChar *p, const xmlChar *u) {}
static void chars(void *c, const xmlChar *s, int n) {}

int main(int argc, char **argv) {
    int err = 0;
    zip_t *z = zip_open(argv[1], ZIP_RDONLY, &err);
    if (!z) return 2;
    static char buf[1 << 18];
    for (int i = 2; i < argc; i++) {
        zip_file_t *f = zip_fopen(z, argv[i], 0);
        if (!f) continue;
        xmlSAXHandler sax;
        memset(&sax, 0, sizeof sax);
        sax.initialized = XML_SAX2_MAGIC;
        sax.startElementNs = start; sax.endElementNs = end; sax.characters = chars;
        xmlParserCtxtPtr ctx = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
        xmlCtxtUseOptions(ctx, XML_PARSE_NONET | XML_PARSE_COMPACT);
        zip_int64_t n;
        while ((n = zip_fread(f, buf, sizeof buf)) > 0) xmlParseChunk(ctx, buf, (int)n, 0);
        xmlParseChunk(ctx, NULL, 0, 1);
        xmlFreeParserCtxt(ctx);
        zip_fclose(f);
    }
    zip_close(z);
    return 0;
}
