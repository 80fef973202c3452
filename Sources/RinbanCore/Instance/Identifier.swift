/// A typed id: `Identifier<Block>` and `Identifier<Clinic>` cannot be mixed up, though
/// both are the strings the instance file uses (1–64 characters, unique in their collection).
public struct Identifier<Entity>: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    public var description: String { rawValue }

    public static func < (lhs: Identifier, rhs: Identifier) -> Bool { lhs.rawValue < rhs.rawValue }
}

public typealias BlockID = Identifier<Block>
public typealias ClinicID = Identifier<Clinic>
public typealias MemberID = Identifier<Member>
public typealias ShiftID = Identifier<Shift>
public typealias DutyID = Identifier<Duty>
public typealias AreaID = Identifier<Area>
public typealias ItemID = Identifier<LoadSharingItem>
public typealias HospitalID = Identifier<Hospital>
public typealias PatientID = Identifier<Patient>
public typealias RespiteID = Identifier<RespiteRequest>
public typealias HomePatientID = Identifier<HomePatient>
