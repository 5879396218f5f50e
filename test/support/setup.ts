// Registers the aws-sdk-client-mock matchers (toHaveReceivedCommandWith, ...) and their TypeScript declarations.
import 'aws-sdk-client-mock-vitest/extend';
