/// Splits one RFC 4180 record into fields, undoing quotes.
enum CSVRecord {
    /// The fields, or `nil` when the quoting is broken.
    static func fields(of record: ArraySlice<UInt8>) -> [[UInt8]]? {
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var index = record.startIndex
        var quoted = false
        var fieldStart = true
        while index < record.endIndex {
            let byte = record[index]
            index += 1
            if quoted {
                if byte == 0x22 {
                    if index < record.endIndex && record[index] == 0x22 {
                        field.append(0x22)
                        index += 1
                    } else {
                        quoted = false
                        guard index == record.endIndex || record[index] == 0x2C else { return nil }
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == 0x22 && fieldStart {
                quoted = true
                fieldStart = false
            } else if byte == 0x2C {
                fields.append(field)
                field = []
                fieldStart = true
            } else {
                guard byte != 0x22, byte != 0x0A, byte != 0x0D else { return nil }
                field.append(byte)
                fieldStart = false
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}
