// GuanxiAnalytics: the analytical half of Guanxi as a pure library.
//
// No I/O, no database, no clock: every function takes its data and an as-of day and
// returns values, so results are reproducible and can be compared with other
// implementations. Customers are dense indexes `0..<customerCount`; the caller maps its
// own ids onto them (arrays instead of dictionaries keep 10 million purchases fast).
//
// What is here, each file naming its source:
// - RFM scores and segments (RFM/)
// - value tiers, bank grades, revenue concentration (Value/)
// - BG/NBD and Gamma-Gamma lifetime models, CLV (Lifetime/)
// - lifecycle stage (Lifecycle/)
// - FP-Growth, association rules, cross-sell (Baskets/)
// - repeat occasions such as yearly gifts (Occasions/)
// - k-means++ and silhouette (Clustering/)
// - KANO classification and satisfaction gaps (Kano/)
// - weighted pipeline and Holt-Winters sales forecasts (Forecast/)
