// zlib, for the bounded pre-scan of a PDF's compressed streams (PdfPrescan).
#include <zlib.h>
