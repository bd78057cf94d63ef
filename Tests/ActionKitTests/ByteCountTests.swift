import ActionKit
import Testing

@Suite("Byte sizes in reports")
struct ByteCountTests {
    @Test("sizes are whole units of 1024 when exact, else one decimal")
    func units() {
        #expect(ByteCount.text(32) == "32 B")
        #expect(ByteCount.text(1023) == "1023 B")
        #expect(ByteCount.text(64 << 10) == "64 KiB")
        #expect(ByteCount.text(43_817) == "42.8 KiB")
        #expect(ByteCount.text(1 << 20) == "1 MiB")
        #expect(ByteCount.text(3 << 19) == "1.5 MiB")
        #expect(ByteCount.text(40 << 20) == "40 MiB")
    }
}
