/// Makes realistic rinban/1 instances of Japanese home-care networks, deterministically.
///
/// The numbers come from the source documents in `shared/seeds/`: the national survey of
/// 14 regions (1.62 physicians per home-care clinic, 1.33 of them doing home care, 0.34
/// aged 65 or over; Nagasaki's five districts and 90 clinics, Shizuoka's 68 clinics with
/// end-of-life duty and a duty nurse station, Fukuoka Minami's 60 clinics with block
/// support hospitals and pre-registered patients), Tokushima's network (three areas, 44
/// home-care clinics of which 33 form the 24-hour mutual deputy rota, 14 linked
/// visiting-nurse stations, 20 backup hospitals) and Takamatsu's blocks (substitutes from
/// the same or a neighbouring block, duties volunteered 手上げ方式). Where the network names
/// a deputy physician for each home-care patient (主治医・副主治医制: Nagasaki, Takamatsu and
/// the generic city), the instance has a `deputies` section too.
///
/// The same arguments always give the byte-identical text: all randomness comes from
/// ``seed`` through the generator's own SplitMix64, nothing reads the clock, and no output
/// depends on the iteration order of a dictionary or set. The result always passes
/// ``InstanceDecoder``. The modelling choices are listed on ``json()`` and in
/// `instances/README.md`.
public struct InstanceGenerator: Sendable, Hashable {
    /// The network a generated instance is modelled on.
    public enum Profile: String, Sendable, Hashable, CaseIterable {
        /// 徳島市医師会: 北部・西部・南部, 44 clinics, a 33-clinic 24-hour deputy rota.
        case tokushima
        /// 長崎在宅Dr.ネット: five districts, about 90 clinics, patient deputies by volunteers.
        case nagasaki
        /// 静岡市静岡医師会: 68 clinics, end-of-life duty every night with a duty nurse station, five public hospitals.
        case shizuoka
        /// 福岡市南区医師会: 60 clinics, a support hospital per block, many pre-registered patients.
        case fukuokaMinami = "fukuoka-minami"
        /// 高松市医師会: six blocks, duties volunteered in differing shares, a 協力医 per patient
        /// from the same or a neighbouring block.
        case takamatsu
        /// A generic city: blocks on a grid, sized by the number of clinics; a third of the
        /// clinics register patients for a deputy the association nominates.
        case city

        /// The clinics of the profile's real network (used when no count is given).
        public var defaultClinics: Int { spec.defaultClinics }

        /// The month of the profile's bundled instance (used when no period is given).
        public var defaultPeriod: Period {
            let (year, month) = spec.defaultMonth
            return InstanceGenerator.monthPeriod(year: year, month: month)
        }
    }

    /// Clinic counts the generator accepts.
    public static let clinicRange: ClosedRange<Int> = 10...1000
    /// Every block gets at least this many clinics, which bounds the number of blocks.
    public static let minimumClinicsPerBlock = 3
    /// At most this many blocks, however many clinics.
    public static let maximumBlocks = 100

    /// The network the instance is modelled on.
    public let profile: Profile
    /// Decides every random choice; the same seed and arguments give the same text.
    public let seed: UInt64
    /// Home-care clinics of the network (10…1000).
    public let clinics: Int
    /// Blocks of the network: the count asked for, or the profile's own.
    public let blocks: Int
    /// The planning period.
    public let period: Period

    /// Checks the arguments; `nil` means the profile's default.
    /// - Throws: ``GeneratorError`` for a clinic count outside 10…1000, a block count
    ///   outside 1…min(100, clinics / 3), or a period the format does not allow.
    public init(profile: Profile, seed: UInt64, clinics: Int? = nil, blocks: Int? = nil, period: Period? = nil)
        throws(GeneratorError)
    {
        let clinics = clinics ?? profile.defaultClinics
        guard Self.clinicRange.contains(clinics) else {
            throw GeneratorError("clinics must be between \(Self.clinicRange.lowerBound) and \(Self.clinicRange.upperBound); got \(clinics)")
        }
        let maxBlocks = Self.maximumBlocks(forClinics: clinics)
        if let blocks, !(1...maxBlocks).contains(blocks) {
            throw GeneratorError("blocks must be between 1 and \(maxBlocks) for \(clinics) clinics "
                                 + "(every block needs at least \(Self.minimumClinicsPerBlock) clinics); got \(blocks)")
        }
        let period = period ?? profile.defaultPeriod
        guard period.end >= period.start else {
            throw GeneratorError("the period ends (\(period.end)) before it starts (\(period.start))")
        }
        guard period.count <= Period.maximumDays else {
            throw GeneratorError("the period has \(period.count) days; the limit is \(Period.maximumDays)")
        }
        guard Period.supportedYears.contains(period.start.year), Period.supportedYears.contains(period.end.year) else {
            throw GeneratorError("the period must lie within \(Period.supportedYears.lowerBound)–\(Period.supportedYears.upperBound)")
        }
        self.profile = profile
        self.seed = seed
        self.clinics = clinics
        self.blocks = blocks ?? min(profile.spec.defaultBlocks(clinics: clinics), maxBlocks)
        self.period = period
    }

    /// The largest block count allowed for `clinics` clinics.
    public static func maximumBlocks(forClinics clinics: Int) -> Int {
        max(1, min(maximumBlocks, clinics / minimumClinicsPerBlock))
    }

    /// The calendar month `text` ("YYYY-MM") as a period.
    /// - Throws: ``GeneratorError`` when the text is not a month of 1980–2099.
    public static func period(month text: String) throws(GeneratorError) -> Period {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1])
        else {
            throw GeneratorError("month \"\(text)\" is not of the form YYYY-MM (for example 2026-12)")
        }
        guard (1...12).contains(month) else { throw GeneratorError("month \"\(text)\": there is no month \(parts[1])") }
        guard Period.supportedYears.contains(year) else {
            throw GeneratorError("month \(text) is outside \(Period.supportedYears.lowerBound)–\(Period.supportedYears.upperBound), the years rinban's calendar covers")
        }
        return monthPeriod(year: year, month: month)
    }

    /// The period from `start` to `end` ("YYYY-MM-DD", inclusive).
    /// - Throws: ``GeneratorError`` for a malformed date, an end before the start or more than 92 days.
    public static func period(start: String, end: String) throws(GeneratorError) -> Period {
        guard let first = CivilDate(iso: start) else { throw GeneratorError("start \"\(start)\" is not a date YYYY-MM-DD") }
        guard let last = CivilDate(iso: end) else { throw GeneratorError("end \"\(end)\" is not a date YYYY-MM-DD") }
        guard last >= first else { throw GeneratorError("the period ends (\(last)) before it starts (\(first))") }
        let days = last.days(since: first) + 1
        guard days <= Period.maximumDays else {
            throw GeneratorError("the period has \(days) days; the limit is \(Period.maximumDays)")
        }
        for date in [first, last] where !Period.supportedYears.contains(date.year) {
            throw GeneratorError("\(date) is outside \(Period.supportedYears.lowerBound)–\(Period.supportedYears.upperBound), the years rinban's calendar covers")
        }
        return Period(start: first, end: last)
    }

    static func monthPeriod(year: Int, month: Int) -> Period {
        let start = CivilDate(year: year, month: month, day: 1)!
        let end = CivilDate(year: year, month: month, day: CivilDate.daysIn(month: month, year: year))!
        return Period(start: start, end: end)
    }

    /// The instance as pretty-printed rinban/1 JSON text, ending with a newline.
    ///
    /// Modelling choices (see `instances/README.md`):
    /// - Every clinic has 1.62 physicians on average; 1.33 do home care and join the duty
    ///   pools, the others are listed with `share` 0 (they take no duty, but the roster is
    ///   complete and the office can switch them on). A clinic's counts are drawn by quota,
    ///   not independently, so small networks keep the survey's ratios.
    /// - 0.34 home-care physicians per clinic (at most one in a clinic) are 65 or over:
    ///   `share` 0.5 and `maxDuties` 3 or 4. About 65 % of home-care physicians have skill `eol` (death
    ///   certification at home) and take the end-of-life duty (看取り当番).
    /// - Tokushima: only the physicians of the 33 clinics (75 %) in the 24-hour network have
    ///   skill `24h`, which the substitute duty requires; a home-care physician of the
    ///   other clinics without `eol` has no duty open and gets `share` 0.
    /// - Patient deputies (Nagasaki, Takamatsu, city): a share of the clinics register 3–15
    ///   home-care patients each, a third needing `eol`, four in five with last period's
    ///   deputy; a few physicians cap their deputy patients or take none. They are drawn
    ///   last, from a stream of their own, so the other sections do not depend on them.
    public func json() -> String {
        var builder = NetworkBuilder(generator: self)
        return builder.build().document()
    }
}

/// Arguments the generator cannot use.
public struct GeneratorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the argument and the allowed range.
    public var message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
