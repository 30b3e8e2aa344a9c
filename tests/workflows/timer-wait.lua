-- Waits 24 hours, then finishes (HB_NOW moves the clock in tests).
return workflow "timer-wait" {
  title = "Wait a day",
  wait "a_day" { "Give it a day.", after = "24h" },
  succeed "done" { "A day has passed." },
}
