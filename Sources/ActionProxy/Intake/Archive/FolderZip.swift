/// A folder as a zip action, for the kit's packaging (`actionkit invoke
/// --code DIR`): the same writer as the offline `-compile` mode, so a folder
/// sent by the kit is unpacked exactly as the proxy's own archives are.
package func zipArchive(ofFolder path: String) throws -> [UInt8] {
    try ZipArchive.archive(directory: path)
}
