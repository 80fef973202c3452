import ArgumentParser

@main
struct Rinban: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rinban",
        abstract: "Plans home-care rotas, nurse-station load sharing and backup beds.",
        subcommands: [PlanCommand.self, ScoreCommand.self, BedsCommand.self, WhatIfCommand.self, DiffCommand.self, CoverCommand.self, DeputyCommand.self, NextMonthCommand.self, ValidateCommand.self, GenerateCommand.self, WorkbookCommand.self, ImportCommand.self, CalendarCommand.self, ServeCommand.self, UsersCommand.self, Demo.self])
}
