import CPoppler
import Testing
@testable import AnslagCore
#if canImport(Glibc)
import Glibc
#endif

/// The core loads poppler-glib only when it reads a PDF and declares the few C types it needs
/// itself (`Poppler.swift`). Here, with poppler's own headers, each declaration is checked
/// against the C one: a function type written wrong would call poppler with the wrong
/// arguments, which no compiler sees in the core.
@Suite struct PopplerBindingTests {
    @Test func structsHaveTheCLayout() {
        #expect(MemoryLayout<Poppler.GError>.size == MemoryLayout<GError>.size)
        #expect(MemoryLayout<Poppler.GError>.alignment == MemoryLayout<GError>.alignment)
        #expect(MemoryLayout<Poppler.GError>.offset(of: \.domain) == MemoryLayout<GError>.offset(of: \.domain))
        #expect(MemoryLayout<Poppler.GError>.offset(of: \.code) == MemoryLayout<GError>.offset(of: \.code))
        #expect(MemoryLayout<Poppler.GError>.offset(of: \.message) == MemoryLayout<GError>.offset(of: \.message))
        #expect(MemoryLayout<Poppler.Rectangle>.stride == MemoryLayout<PopplerRectangle>.stride)
        #expect(MemoryLayout<Poppler.Rectangle>.offset(of: \.x1) == MemoryLayout<PopplerRectangle>.offset(of: \.x1))
        #expect(MemoryLayout<Poppler.Rectangle>.offset(of: \.y1) == MemoryLayout<PopplerRectangle>.offset(of: \.y1))
        #expect(MemoryLayout<Poppler.Rectangle>.offset(of: \.x2) == MemoryLayout<PopplerRectangle>.offset(of: \.x2))
        #expect(MemoryLayout<Poppler.Rectangle>.offset(of: \.y2) == MemoryLayout<PopplerRectangle>.offset(of: \.y2))
    }

    @Test func constantsAreTheHeadersOnes() {
        #expect(Poppler.errorEncrypted == Int32(POPPLER_ERROR_ENCRYPTED.rawValue))
        #expect(Poppler.formatRGB24 == Int32(CAIRO_FORMAT_RGB24.rawValue))
        #expect(Poppler.antialiasNone == Int32(CAIRO_ANTIALIAS_NONE.rawValue))
        // The integer types the core writes for GLib's and cairo's.
        #expect(MemoryLayout<gsize>.size == MemoryLayout<Int>.size)
        #expect(MemoryLayout<guint>.size == 4 && MemoryLayout<gboolean>.size == 4 && MemoryLayout<GQuark>.size == 4)
        #expect(MemoryLayout<GLogLevelFlags>.size == 4 && MemoryLayout<cairo_format_t>.size == 4 && MemoryLayout<cairo_antialias_t>.size == 4)
    }

    /// Each function type of `Poppler`, written with the headers' types where the core wrote
    /// its own (raw pointers for `GError *` and `PopplerRectangle *`, `Int32` for the enums,
    /// `Int` for `gsize`), must take the real function.
    @Test func functionTypesTakeTheRealFunctions() {
        let _: @convention(c) (UnsafeRawPointer?, gsize) -> OpaquePointer? = g_bytes_new
        let _: @convention(c) (OpaquePointer?) -> Void = g_bytes_unref
        let _: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<UnsafeMutablePointer<GError>?>?) -> OpaquePointer? = poppler_document_new_from_bytes
        let _: @convention(c) () -> GQuark = poppler_error_quark
        let _: @convention(c) (UnsafeMutablePointer<GError>?) -> Void = g_error_free
        let _: @convention(c) (gpointer?) -> Void = g_object_unref
        let _: @convention(c) (gpointer?) -> Void = g_free
        let _: @convention(c) (OpaquePointer?) -> Int32 = poppler_document_get_n_pages
        let _: @convention(c) (OpaquePointer?, Int32) -> OpaquePointer? = poppler_document_get_page
        let _: @convention(c) (UnsafePointer<gchar>?, GLogLevelFlags, GLogFunc?, gpointer?) -> guint = g_log_set_handler
        let _: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<CChar>? = poppler_page_get_text
        let _: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<PopplerRectangle>?>?, UnsafeMutablePointer<guint>?) -> gboolean = poppler_page_get_text_layout
        let _: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Void = poppler_page_get_size
        let _: @convention(c) (OpaquePointer?, OpaquePointer?) -> Void = poppler_page_render
        let _: @convention(c) (cairo_format_t, Int32) -> Int32 = cairo_format_stride_for_width
        let _: @convention(c) (UnsafeMutablePointer<UInt8>?, cairo_format_t, Int32, Int32, Int32) -> OpaquePointer? = cairo_image_surface_create_for_data
        let _: @convention(c) (OpaquePointer?) -> Void = cairo_surface_destroy
        let _: @convention(c) (OpaquePointer?) -> Void = cairo_surface_flush
        let _: @convention(c) (OpaquePointer?) -> OpaquePointer? = cairo_create
        let _: @convention(c) (OpaquePointer?) -> Void = cairo_destroy
        let _: @convention(c) (OpaquePointer?, cairo_antialias_t) -> Void = cairo_set_antialias
        let _: @convention(c) () -> OpaquePointer? = cairo_font_options_create
        let _: @convention(c) (OpaquePointer?, cairo_antialias_t) -> Void = cairo_font_options_set_antialias
        let _: @convention(c) (OpaquePointer?, OpaquePointer?) -> Void = cairo_set_font_options
        let _: @convention(c) (OpaquePointer?) -> Void = cairo_font_options_destroy
        let _: @convention(c) (OpaquePointer?, Double, Double) -> Void = cairo_scale
        // GLogFunc's shape, which the core's LogFunc copies with UInt32 for the flags.
        let _: GLogFunc = { (_: UnsafePointer<gchar>?, _: GLogLevelFlags, _: UnsafePointer<gchar>?, _: gpointer?) in }
    }

    /// What the core loads is the library this test links: the same functions.
    @Test func loadsTheLinkedLibrary() throws {
        let pop = try Poppler.get(for: "test.pdf")
        let linked = dlopen(nil, RTLD_NOW)
        for (name, loaded) in [("poppler_page_render", unsafeBitCast(pop.poppler_page_render, to: UnsafeRawPointer.self)),
                               ("g_free", unsafeBitCast(pop.g_free, to: UnsafeRawPointer.self)),
                               ("cairo_create", unsafeBitCast(pop.cairo_create, to: UnsafeRawPointer.self))] {
            #expect(dlsym(linked, name).map(UnsafeRawPointer.init) == loaded, "\(name)")
        }
    }
}
