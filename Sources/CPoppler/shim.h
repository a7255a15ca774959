// PDF text with positions (poppler-glib), page rendering for ruling lines (cairo), and zlib
// for the bounded pre-scan of a PDF's compressed streams.
#include <poppler.h>
#include <cairo.h>
#include <zlib.h>
