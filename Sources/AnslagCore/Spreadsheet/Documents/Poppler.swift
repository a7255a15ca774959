#if canImport(Glibc)
import Glibc
#endif

/// poppler-glib (and the GLib and cairo functions that come with it), loaded the first time a
/// PDF is read. Linked at start, the library and the ~45 it pulls in (cairo, GLib, fontconfig,
/// NSS, X11, …) cost every tool about 7 ms and 8 MB at every start, also when no PDF is ever
/// read (`anslag-import --version`: 17.3 ms linked, 9.8 ms without). So the core does not link
/// `CPoppler`: the few C types it needs are written here, and `PopplerBindingTests` (which
/// imports `CPoppler`, poppler's own headers) checks each against the C one: struct layouts,
/// constants, and every function type assigned the real C function.
struct Poppler: @unchecked Sendable {   // Sendable: C function pointers, set once in `init` and never changed
    /// GLib's `GError` (a `GError *` comes as a raw pointer: a Swift struct cannot stand in a C
    /// function's type; it is read as this).
    struct GError { var domain: UInt32; var code: Int32; var message: UnsafeMutablePointer<CChar>? }
    /// `PopplerRectangle`: a glyph's box, in points from the page's top left (an array of them
    /// comes as a raw pointer, read as these).
    struct Rectangle { var x1: Double; var y1: Double; var x2: Double; var y2: Double }
    /// `POPPLER_ERROR_ENCRYPTED`, `CAIRO_FORMAT_RGB24`, `CAIRO_ANTIALIAS_NONE`.
    static let errorEncrypted: Int32 = 1
    static let formatRGB24: Int32 = 1
    static let antialiasNone: Int32 = 1
    /// GLib's `GLogFunc`.
    typealias LogFunc = @convention(c) (UnsafePointer<CChar>?, UInt32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void

    typealias GBytesNew = @convention(c) (UnsafeRawPointer?, Int) -> OpaquePointer?
    typealias Unref = @convention(c) (OpaquePointer?) -> Void
    typealias DocumentNew = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> OpaquePointer?
    typealias Quark = @convention(c) () -> UInt32
    typealias ErrorFree = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias Pointer = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias PageCount = @convention(c) (OpaquePointer?) -> Int32
    typealias Page = @convention(c) (OpaquePointer?, Int32) -> OpaquePointer?
    typealias LogHandler = @convention(c) (UnsafePointer<CChar>?, UInt32, LogFunc?, UnsafeMutableRawPointer?) -> UInt32
    typealias PageText = @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>?
    typealias TextLayout = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UInt32>?) -> Int32
    typealias PageSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void
    typealias Render = @convention(c) (OpaquePointer?, OpaquePointer?) -> Void
    typealias Stride = @convention(c) (Int32, Int32) -> Int32
    typealias SurfaceForData = @convention(c) (UnsafeMutablePointer<UInt8>?, Int32, Int32, Int32, Int32) -> OpaquePointer?
    typealias Create = @convention(c) (OpaquePointer?) -> OpaquePointer?
    typealias Antialias = @convention(c) (OpaquePointer?, Int32) -> Void
    typealias FontOptionsCreate = @convention(c) () -> OpaquePointer?
    typealias Scale = @convention(c) (OpaquePointer?, Double, Double) -> Void

    let g_bytes_new: GBytesNew
    let g_bytes_unref: Unref
    let g_error_free: ErrorFree
    let g_object_unref: Pointer
    let g_free: Pointer
    let g_log_set_handler: LogHandler
    let poppler_document_new_from_bytes: DocumentNew
    let poppler_error_quark: Quark
    let poppler_document_get_n_pages: PageCount
    let poppler_document_get_page: Page
    let poppler_page_get_text: PageText
    let poppler_page_get_text_layout: TextLayout
    let poppler_page_get_size: PageSize
    let poppler_page_render: Render
    let cairo_format_stride_for_width: Stride
    let cairo_image_surface_create_for_data: SurfaceForData
    let cairo_surface_destroy: Unref
    let cairo_surface_flush: Unref
    let cairo_create: Create
    let cairo_destroy: Unref
    let cairo_set_antialias: Antialias
    let cairo_font_options_create: FontOptionsCreate
    let cairo_font_options_set_antialias: Antialias
    let cairo_set_font_options: Render
    let cairo_font_options_destroy: Unref
    let cairo_scale: Scale

    /// The library's file names, newest soname first (`.so` alone is the -dev package's link).
    static let names = ["libpoppler-glib.so.8", "libpoppler-glib.so"]

    /// The functions, or why poppler-glib could not be loaded (once per process).
    static let loaded: Result<Poppler, LoadError> = load()

    struct LoadError: Error { let reason: String }

    /// The loaded library, or a read error naming the file that needed it and the package to install.
    static func get(for file: String) throws -> Poppler {
        switch loaded {
        case .success(let p): return p
        case .failure(let e):
            throw ReadError.unsupported(file: file, what: "reading a PDF needs poppler-glib (Debian: apt-get install libpoppler-glib8), which could not be loaded: \(e.reason)")
        }
    }

    private static func load() -> Result<Poppler, LoadError> {
        var handle: UnsafeMutableRawPointer?
        var reason = "not found"
        for name in names {
            handle = dlopen(name, RTLD_NOW | RTLD_LOCAL)
            if handle != nil { break }
            if let e = dlerror() { reason = String(cString: e) }
        }
        guard let handle else { return .failure(LoadError(reason: reason)) }
        // (The handle is kept for the life of the process: poppler cannot be unloaded safely.)
        do { return .success(try Poppler(handle)) } catch { return .failure(error) }
    }

    /// Each function looked up in the library (and the GLib and cairo it depends on).
    private init(_ handle: UnsafeMutableRawPointer) throws(LoadError) {
        func sym<F>(_ name: String) throws(LoadError) -> F {
            guard let p = dlsym(handle, name) else { throw LoadError(reason: "it has no function \(name)") }
            return unsafeBitCast(p, to: F.self)
        }
        g_bytes_new = try sym("g_bytes_new"); g_bytes_unref = try sym("g_bytes_unref")
        g_error_free = try sym("g_error_free"); g_object_unref = try sym("g_object_unref")
        g_free = try sym("g_free"); g_log_set_handler = try sym("g_log_set_handler")
        poppler_document_new_from_bytes = try sym("poppler_document_new_from_bytes")
        poppler_error_quark = try sym("poppler_error_quark")
        poppler_document_get_n_pages = try sym("poppler_document_get_n_pages")
        poppler_document_get_page = try sym("poppler_document_get_page")
        poppler_page_get_text = try sym("poppler_page_get_text")
        poppler_page_get_text_layout = try sym("poppler_page_get_text_layout")
        poppler_page_get_size = try sym("poppler_page_get_size")
        poppler_page_render = try sym("poppler_page_render")
        cairo_format_stride_for_width = try sym("cairo_format_stride_for_width")
        cairo_image_surface_create_for_data = try sym("cairo_image_surface_create_for_data")
        cairo_surface_destroy = try sym("cairo_surface_destroy"); cairo_surface_flush = try sym("cairo_surface_flush")
        cairo_create = try sym("cairo_create"); cairo_destroy = try sym("cairo_destroy")
        cairo_set_antialias = try sym("cairo_set_antialias")
        cairo_font_options_create = try sym("cairo_font_options_create")
        cairo_font_options_set_antialias = try sym("cairo_font_options_set_antialias")
        cairo_set_font_options = try sym("cairo_set_font_options")
        cairo_font_options_destroy = try sym("cairo_font_options_destroy")
        cairo_scale = try sym("cairo_scale")
    }
}
