import AWSClient

/// The AWS layer's header list (NIOHTTP1 has a type of the same name).
typealias AWSHeaders = HTTPHeaders
